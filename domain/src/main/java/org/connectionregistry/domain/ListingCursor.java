package org.connectionregistry.domain;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The one paging rule of every listing, and where one listing stands.
 *
 * <p><b>The rule.</b> A listing asks its source for pages of at most {@link #PAGE_SIZE} clients
 * (fewer when the caller's limit leaves fewer), each starting after the last client of the page
 * before. A source either fills a page or fails: it returns exactly as many clients as were asked
 * for, or all that are left. So a page shorter than asked for is the last one, and no request is
 * spent on the empty page after it. A source that returns more than it was asked for, or a page
 * that does not start after the previous one, breaks the rule and ends the listing with an {@link
 * IllegalStateException} rather than repeating or skipping clients.
 *
 * <p>Every loop over pages goes through here: {@link ConnectionRegistry#listAll}, the use case's
 * page-at-a-time listing, and the ListClients stream of the gRPC endpoint. A cursor is used by
 * one listing at a time; it is not safe for concurrent use.
 */
public final class ListingCursor {

  /**
   * Most clients a listing asks for at once. Large enough that per-page costs vanish, small
   * enough that a page (at most about 2.2 MB on the wire) fits any gRPC peer's default limits.
   */
  public static final int PAGE_SIZE = 4096;

  /** Something that hands out pages under the rule above. */
  @FunctionalInterface
  public interface PageSource {
    List<ClientConnection> page(Optional<ClientId> after, int limit);
  }

  private Optional<ClientId> after;
  private long remaining;
  private int asked;
  private boolean ended;

  private ListingCursor(Optional<ClientId> after, long limit) {
    this.after = Objects.requireNonNull(after, "after");
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative, got " + limit);
    }
    this.remaining = limit;
    this.ended = limit == 0;
  }

  /** A listing of every client, from the first. */
  public static ListingCursor fromStart() {
    return new ListingCursor(Optional.empty(), Long.MAX_VALUE);
  }

  /**
   * A listing of up to {@code limit} clients after {@code after} (exclusive), or from the first
   * client when it is empty. A limit of 0 lists nothing.
   */
  public static ListingCursor after(Optional<ClientId> after, long limit) {
    return new ListingCursor(after, limit);
  }

  /** Whether the listing is over: no page is to be asked for any more. */
  public boolean ended() {
    return ended;
  }

  /** Where the next page starts (exclusive). */
  public Optional<ClientId> nextAfter() {
    return after;
  }

  /** How many clients to ask for in the next page. */
  public int nextLimit() {
    if (ended) {
      throw new IllegalStateException("the listing has ended");
    }
    asked = (int) Math.min(PAGE_SIZE, remaining);
    return asked;
  }

  /**
   * Takes the page the source returned for {@link #nextAfter()} and {@link #nextLimit()}, moves
   * past it, and returns it. After a short (or empty) page, or once the limit is reached, {@link
   * #ended()} is true.
   *
   * @throws IllegalStateException if the page breaks the paging rule
   */
  public List<ClientConnection> advance(List<ClientConnection> page) {
    if (asked == 0) {
      throw new IllegalStateException("advance without nextLimit");
    }
    if (page.size() > asked) {
      ended = true;
      throw new IllegalStateException(
          "a page of " + page.size() + " clients came back for a request of " + asked);
    }
    if (!page.isEmpty()) {
      ClientId first = page.get(0).clientId();
      if (after.isPresent() && first.compareTo(after.get()) <= 0) {
        ended = true;
        throw new IllegalStateException(
            "a page starting at " + first.value() + " came back for clients after "
                + after.get().value());
      }
      after = Optional.of(page.get(page.size() - 1).clientId());
      remaining -= page.size();
    }
    ended = page.size() < asked || remaining == 0;
    asked = 0;
    return page;
  }

  /**
   * Reads every client from {@code source}, page after page on the calling thread, and hands each
   * non-empty page to {@code pages} before the next is read. An exception from either ends the
   * listing and propagates.
   */
  public static void forEachPage(PageSource source, Consumer<? super List<ClientConnection>> pages) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(pages, "pages");
    ListingCursor cursor = fromStart();
    while (!cursor.ended()) {
      int limit = cursor.nextLimit();
      List<ClientConnection> page = cursor.advance(source.page(cursor.nextAfter(), limit));
      if (!page.isEmpty()) {
        pages.accept(page);
      }
    }
  }
}

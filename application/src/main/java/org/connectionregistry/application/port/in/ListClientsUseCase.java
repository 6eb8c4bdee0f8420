package org.connectionregistry.application.port.in;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ListingCursor;

/** Anyone asks for the status of every registered client. */
public interface ListClientsUseCase {

  /** Most clients in one page that the default {@link #forEachClientPage} hands over. */
  int PAGE_SIZE = ListingCursor.PAGE_SIZE;

  /**
   * The registry's revision now: a listing begun after this call shows every change up to it, so
   * a watch after it misses nothing the listing does not show. 0 where revisions are not kept
   * (this default).
   */
  default long currentRevision() {
    return 0;
  }

  /**
   * Every registered client, sorted by client ID.
   *
   * @throws org.connectionregistry.domain.RegistryUnavailableException if the registry cannot be
   *     reached
   */
  List<ClientConnection> listClients();

  /**
   * One page of the same list: {@code limit} clients in client-ID order, or all that are left
   * when fewer are, starting after {@code after} (exclusive), or from the first client when it is
   * empty. A page shorter than {@code limit} is the last (the rule of {@link ListingCursor}).
   * Pages read one after another never repeat or skip a client that stays registered meanwhile.
   *
   * <p>This default reads the whole list for every page; implementations that can start a page
   * anywhere override it. (Its own name, not a {@code listClients} overload, keeps method
   * references such as {@code useCase::listClients} unambiguous.)
   *
   * @throws IllegalArgumentException if {@code limit} is not positive
   * @throws org.connectionregistry.domain.RegistryUnavailableException if the registry cannot be
   *     reached
   */
  default List<ClientConnection> listClientsPage(Optional<ClientId> after, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive, got " + limit);
    }
    return listClients().stream()
        .filter(client -> after.isEmpty() || client.clientId().compareTo(after.get()) > 0)
        .limit(limit)
        .toList();
  }

  /**
   * {@link #listClients()} without waiting: the stage completes with the list, or fails with what
   * it would throw. This default does the work on the calling thread; implementations that can
   * do it without waiting override it.
   */
  default CompletionStage<List<ClientConnection>> listClientsAsync() {
    try {
      return CompletableFuture.completedStage(listClients());
    } catch (RuntimeException e) {
      return CompletableFuture.failedStage(e);
    }
  }

  /**
   * {@link #listClientsPage} without waiting: the stage completes with the page, or fails with
   * what it would throw; an invalid {@code limit} is thrown at once. A server's listing reads its
   * pages through this. This default does the work on the calling thread; implementations that
   * can do it without waiting override it.
   */
  default CompletionStage<List<ClientConnection>> listClientsPageAsync(
      Optional<ClientId> after, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive, got " + limit);
    }
    try {
      return CompletableFuture.completedStage(listClientsPage(after, limit));
    } catch (RuntimeException e) {
      return CompletableFuture.failedStage(e);
    }
  }

  /**
   * The same list as {@link #listClients()}, handed to {@code pages} a page at a time, so that a
   * caller can show or pass on a registry of any size without holding all of it.
   *
   * <ul>
   *   <li><b>Order.</b> Pages come one after another, on the calling thread, in client-ID order:
   *       within a page, and from the last client of one page to the first of the next. The next
   *       page is fetched only once {@code pages} has returned, so a slow consumer slows the
   *       listing down rather than letting pages pile up.
   *   <li><b>Pages.</b> A page is never empty; an empty registry hands over no page at all. How
   *       many clients a page holds is up to the implementation (this default: up to {@link
   *       #PAGE_SIZE}). A page's list may be unmodifiable; the consumer may keep it.
   *   <li><b>Failure.</b> An exception thrown while listing, whether by the registry after some
   *       pages or by {@code pages} itself, ends the listing and propagates to the caller, exactly
   *       as {@link #listClients()} would throw it. Pages handed over before stay handed over:
   *       nothing is taken back, and no further page follows.
   *   <li><b>Consistency.</b> As with {@link #listClientsPage}: a client that stays registered
   *       meanwhile is handed over exactly once; one registered or changed during the listing may
   *       or may not show.
   * </ul>
   *
   * <p>This default reads the pages through {@link #listClientsPage}, one after another, under
   * the paging rule of {@link ListingCursor}: until one comes back shorter than asked for.
   *
   * @throws org.connectionregistry.domain.RegistryUnavailableException if the registry cannot be
   *     reached
   */
  default void forEachClientPage(Consumer<? super List<ClientConnection>> pages) {
    Objects.requireNonNull(pages, "pages");
    ListingCursor.forEachPage(this::listClientsPage, pages);
  }
}

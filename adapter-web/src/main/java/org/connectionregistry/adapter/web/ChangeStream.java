package org.connectionregistry.adapter.web;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.connectionregistry.application.port.in.CountClientsUseCase;
import org.connectionregistry.application.port.in.RegistryWatch;
import org.connectionregistry.application.port.in.WatchClientsUseCase;
import org.connectionregistry.application.port.in.WatchEvent;
import org.connectionregistry.application.port.in.WatcherTooSlowException;
import org.connectionregistry.domain.ClientChange;
import org.connectionregistry.domain.ClientCounts;
import org.connectionregistry.domain.RevisionCompactedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open page's stream of changes, as Server-Sent Events: a {@link RegistryWatch} read at the
 * pace the page's connection takes them. Each event carries the revision it brings the page to
 * as its {@code id}, so a page that lost its connection asks again with {@code Last-Event-ID} and
 * misses nothing.
 *
 * <ul>
 *   <li>{@code changes}: {@code {"changes": [{id, status, revision, since, reason}, ...]}}, in
 *       revision order; then {@code counts} as they stand after them.
 *   <li>{@code progress}: nothing changed for a while; the page is current to the revision.
 *   <li>{@code reset}: the changes the page needs are no longer kept: it reads its data again.
 * </ul>
 *
 * <p>The watch wakes the stream through its {@code onReady} callback; the stream then drains it on
 * {@code writers}, one pass at a time, and writes a comment every heartbeat so that a page that
 * went away is noticed. A write that fails ends the stream and its watch.
 */
final class ChangeStream implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ChangeStream.class);

  /** Most changes in one event. */
  static final int BATCH = 500;

  private final WatchClientsUseCase watches;
  private final CountClientsUseCase counts;
  private final OutputStream out;
  private final Executor writers;
  private final Consumer<ChangeStream> onClosed;
  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean heartbeatDue;
  private RegistryWatch watch;
  private long revision;

  private ChangeStream(
      WatchClientsUseCase watches,
      CountClientsUseCase counts,
      OutputStream out,
      Executor writers,
      Consumer<ChangeStream> onClosed) {
    this.watches = watches;
    this.counts = counts;
    this.out = out;
    this.writers = writers;
    this.onClosed = onClosed;
  }

  /**
   * Opens the watch after {@code revision}.
   *
   * @throws RevisionCompactedException if the changes after it are no longer all kept
   */
  static ChangeStream open(
      long revision,
      WatchClientsUseCase watches,
      CountClientsUseCase counts,
      OutputStream out,
      Executor writers,
      Consumer<ChangeStream> onClosed) {
    ChangeStream stream = new ChangeStream(watches, counts, out, writers, onClosed);
    stream.revision = revision;
    stream.watch = watches.watch(OptionalLong.of(revision), stream::wake);
    return stream;
  }

  /** Starts writing whatever the watch has already. */
  void start() {
    wake();
  }

  /** Asks for a comment line at the next pass, so that a vanished page is noticed. */
  void heartbeat() {
    heartbeatDue = true;
    wake();
  }

  private void wake() {
    if (!closed.get() && pending.getAndIncrement() == 0) {
      try {
        writers.execute(this::drain);
      } catch (RuntimeException rejected) {
        close();
      }
    }
  }

  /** Runs on one writer at a time: {@code pending} counts the wake-ups since it was scheduled. */
  private void drain() {
    int seen;
    do {
      seen = pending.get();
      try {
        synchronized (this) {
          writeWhatIsReady();
        }
      } catch (IOException gone) {
        log.debug("Live page stream ended: {}", gone.getMessage());
        close();
        return;
      } catch (RuntimeException e) {
        log.warn("Live page stream failed: {}", e.toString());
        close();
        return;
      }
    } while (pending.addAndGet(-seen) != 0);
  }

  private void writeWhatIsReady() throws IOException {
    if (closed.get()) {
      return;
    }
    List<ClientChange> written = new ArrayList<>();
    while (true) {
      Optional<WatchEvent> next;
      try {
        next = watch.next(BATCH);
      } catch (WatcherTooSlowException slow) {
        // Nothing is lost: watch again from the last change this page was sent.
        watch.close();
        watch = watches.watch(OptionalLong.of(slow.resumeAfter()), this::wake);
        continue;
      } catch (RevisionCompactedException compacted) {
        send("reset", null, WebJson.error(compacted.getMessage()));
        out.flush();
        close();
        return;
      }
      if (next.isEmpty()) {
        break;
      }
      WatchEvent event = next.get();
      if (event instanceof WatchEvent.Changes) {
        List<ClientChange> changes = ((WatchEvent.Changes) event).changes();
        if (!changes.isEmpty()) {
          revision = changes.get(changes.size() - 1).revision();
          send("changes", revision, WebJson.changes(changes));
          written.addAll(changes);
        }
      } else if (event instanceof WatchEvent.Progress) {
        revision = Math.max(revision, ((WatchEvent.Progress) event).revision());
        send("progress", revision, WebJson.revision(revision));
      } else if (event instanceof WatchEvent.SnapshotComplete) {
        revision = Math.max(revision, ((WatchEvent.SnapshotComplete) event).revision());
      }
      // Snapshot pages never come: this stream always starts after a revision.
    }
    if (!written.isEmpty()) {
      sendCounts();
    }
    if (heartbeatDue) {
      heartbeatDue = false;
      write(": still here\n\n");
    }
    out.flush();
  }

  private void sendCounts() throws IOException {
    ClientCounts now;
    try {
      now =
          CompletableFuture.completedFuture(null)
              .thenCompose(ignored -> counts.countClientsAsync())
              .toCompletableFuture()
              .get(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    } catch (Exception e) {
      // The rows are what matters; counts follow with the next change.
      log.debug("Live page could not count clients: {}", e.toString());
      return;
    }
    send("counts", null, WebJson.countsText(now));
  }

  private void send(String event, Long id, String data) throws IOException {
    StringBuilder frame = new StringBuilder();
    frame.append("event: ").append(event).append('\n');
    if (id != null) {
      frame.append("id: ").append(id).append('\n');
    }
    frame.append("data: ").append(data).append("\n\n");
    write(frame.toString());
  }

  private void write(String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
  }

  /** The revision this page has been sent up to. */
  long revision() {
    return revision;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        // First, so that a write blocked on a page that stopped reading fails and lets go.
        out.close();
      } catch (IOException ignored) {
        // Going away anyway.
      }
      synchronized (this) {
        if (watch != null) {
          watch.close();
        }
      }
      onClosed.accept(this);
    }
  }
}

package org.connectionregistry.application.service;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.connectionregistry.application.port.in.CountClientsUseCase;
import org.connectionregistry.application.port.in.RegistryWatch;
import org.connectionregistry.application.port.in.WatchClientsUseCase;
import org.connectionregistry.application.port.in.WatchEvent;
import org.connectionregistry.application.port.in.WatcherTooSlowException;
import org.connectionregistry.application.port.out.Timer;
import org.connectionregistry.domain.ChangeCursor;
import org.connectionregistry.domain.ChangeFeed;
import org.connectionregistry.domain.ClientChange;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientCounts;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionRegistry;
import org.connectionregistry.domain.ListingCursor;
import org.connectionregistry.domain.Stages;

/**
 * Watches and counts over any {@link ConnectionRegistry}, through its port only: no store is
 * locked, and no watcher holds a queue of its own.
 *
 * <p><b>The snapshot.</b> A watch without a starting revision notes the feed's latest revision R0
 * and opens its cursor after R0 at once, so the changes made while the registry is listed are
 * held by the shared history, not by the watcher. It then lists the registry a page at a time, at
 * the watcher's pace, remembering only the listed entries whose revision is above R0 (as many as
 * changes were made during the listing). The snapshot is taken to end at R_end, the higher of the
 * feed's latest revision once the listing is over and the highest revision listed. The cursor is
 * read up to R_end, and of those changes only the ones the listing does not already show are
 * handed over (a listed entry shows a change when its revision is at least the change's); a feed
 * that trails its store a little (Redis) is waited for until it reaches R_end. Then {@link
 * WatchEvent.SnapshotComplete}, and every change after R_end. For every client, the listed entry
 * followed by the changes handed over is its state at R_end: nothing is missed or repeated.
 *
 * <p><b>From a revision.</b> A watch after a revision reads the cursor from there. Its first event
 * is the changes after it, or, when there are none yet, a {@link WatchEvent.Progress} with that
 * revision: either way the watcher knows at once that the watch is established.
 *
 * <p><b>Progress and the cut-off.</b> Each watch has a timer tick every {@code progressInterval}.
 * If nothing was handed over since the last tick, the watcher gets a {@link WatchEvent.Progress}
 * with the revision it is current to. On the same tick, a watcher more than {@code maxLag} changes
 * behind the feed's latest is cut off with a {@link WatcherTooSlowException}: it resumes after
 * its last revision, which the history still holds as long as {@code maxLag} is below its
 * capacity.
 */
public final class WatchService implements WatchClientsUseCase, CountClientsUseCase {

  private final ConnectionRegistry registry;
  private final Timer timer;
  private final Duration progressInterval;
  private final long maxLag;
  private final java.util.concurrent.atomic.AtomicInteger open =
      new java.util.concurrent.atomic.AtomicInteger();

  /**
   * @param progressInterval how long a watcher may go without being handed anything before it
   *     is told it is current; also how often the cut-off is checked
   * @param maxLag how many changes a watcher may fall behind the feed's latest before it is cut
   *     off; keep it below the history's capacity, so that the watcher can resume
   */
  public WatchService(
      ConnectionRegistry registry, Timer timer, Duration progressInterval, long maxLag) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.timer = Objects.requireNonNull(timer, "timer");
    this.progressInterval = Objects.requireNonNull(progressInterval, "progressInterval");
    if (progressInterval.isNegative() || progressInterval.isZero()) {
      throw new IllegalArgumentException("progressInterval must be positive, got " + progressInterval);
    }
    if (maxLag < 1) {
      throw new IllegalArgumentException("maxLag must be positive, got " + maxLag);
    }
    this.maxLag = maxLag;
  }

  @Override
  public CompletionStage<ClientCounts> countClientsAsync() {
    return registry.counts();
  }

  @Override
  public RegistryWatch watch(OptionalLong afterRevision, Runnable onReady) {
    Objects.requireNonNull(afterRevision, "afterRevision");
    Objects.requireNonNull(onReady, "onReady");
    ChangeFeed feed = registry.changes();
    Watch watch;
    if (afterRevision.isPresent()) {
      watch = new Watch(feed, afterRevision.getAsLong(), false, onReady);
    } else {
      watch = new Watch(feed, feed.latestRevision(), true, onReady);
    }
    open.incrementAndGet();
    watch.scheduleTick();
    return watch;
  }

  /** Watches open right now, through any adapter: what the watchers gauge shows. */
  public int openWatches() {
    return open.get();
  }

  private enum Phase {
    LISTING,
    CATCHING_UP,
    FOLLOWING,
    CLOSED
  }

  /**
   * One watcher. {@link #next} runs on one thread at a time (the watcher's); the listing's pages
   * complete on the store's threads and the tick runs on the timer's, so the state they share is
   * guarded by this object's lock. {@code onReady} is always called outside it.
   */
  private final class Watch implements RegistryWatch {
    private final ChangeFeed feed;
    private final Runnable onReady;
    private final ChangeCursor cursor;

    private Phase phase;
    /** The last revision handed over: where the watcher resumes. */
    private volatile long handed;

    // The snapshot.
    private final long snapshotStart;
    private Optional<ClientId> listedUpTo = Optional.empty();
    private boolean listingEnded;
    private boolean pageInFlight;
    private List<ClientConnection> readyPage;
    private Throwable listingFailure;
    private final Map<ClientId, Long> listedSinceStart = new HashMap<>();
    private long maxListedRevision;
    private long snapshotEnd;

    /** Changes read past the snapshot's end before it was complete, handed over after it. */
    private final ArrayDeque<ClientChange> early = new ArrayDeque<>();

    // The tick.
    private boolean handedSinceTick;
    private boolean progressDue;
    private WatcherTooSlowException cutOff;
    private Timer.Cancellable tick;

    Watch(ChangeFeed feed, long after, boolean snapshot, Runnable onReady) {
      this.feed = feed;
      this.onReady = onReady;
      this.cursor = feed.openAfter(after, onReady);
      this.snapshotStart = after;
      this.handed = after;
      if (snapshot) {
        phase = Phase.LISTING;
      } else {
        phase = Phase.FOLLOWING;
        // Told at once that it is current to its revision, unless changes after it come first:
        // a resumed watcher learns that it is back even when nothing has changed.
        progressDue = true;
      }
    }

    @Override
    public Optional<WatchEvent> next(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("max must be positive, got " + max);
      }
      Optional<WatchEvent> event;
      synchronized (this) {
        switch (phase) {
          case LISTING -> {
            event = nextPage(max);
            if (event.isEmpty() && phase == Phase.CATCHING_UP) {
              event = catchUp(max);
            }
          }
          case CATCHING_UP -> event = catchUp(max);
          case FOLLOWING -> event = follow(max);
          default -> event = Optional.empty();
        }
        if (event.isPresent()) {
          handedSinceTick = true;
        }
      }
      return event;
    }

    @Override
    public synchronized void checkStanding() {
      if (cutOff != null) {
        throw cutOff;
      }
    }

    // ---- The listing ----

    /** A page if one is ready, asking for the next; moves on to catching up after the last. */
    private Optional<WatchEvent> nextPage(int max) {
      while (true) {
        if (listingFailure != null) {
          Throwable failure = listingFailure;
          close();
          throw failure instanceof RuntimeException runtime
              ? runtime
              : new IllegalStateException(failure);
        }
        if (readyPage != null) {
          List<ClientConnection> page = readyPage;
          readyPage = null;
          if (listingEnded) {
            endListing();
          }
          return Optional.of(new WatchEvent.SnapshotPage(page));
        }
        if (listingEnded) {
          endListing();
          return Optional.empty();
        }
        if (pageInFlight) {
          return Optional.empty();
        }
        requestPage(Math.min(max, ListingCursor.PAGE_SIZE));
        if (pageInFlight) {
          return Optional.empty(); // it comes later, with a call to onReady
        }
      }
    }

    /** Asks the store for the next page; one that is ready at once is taken at once. */
    private void requestPage(int limit) {
      CompletableFuture<List<ClientConnection>> page;
      try {
        page = registry.list(listedUpTo, limit).toCompletableFuture();
      } catch (RuntimeException e) {
        listingFailure = e;
        return;
      }
      if (page.isDone()) {
        takePage(page, limit);
        return;
      }
      pageInFlight = true;
      page.whenComplete(
          (clients, failure) -> {
            synchronized (this) {
              pageInFlight = false;
              if (phase != Phase.LISTING) {
                return;
              }
              takePage(page, limit);
            }
            onReady.run();
          });
    }

    private void takePage(CompletableFuture<List<ClientConnection>> done, int limit) {
      List<ClientConnection> clients;
      try {
        clients = done.join();
      } catch (RuntimeException e) {
        listingFailure = Stages.cause(e);
        return;
      }
      if (clients.size() > limit
          || (!clients.isEmpty()
              && listedUpTo.isPresent()
              && clients.get(0).clientId().compareTo(listedUpTo.get()) <= 0)) {
        listingFailure =
            new IllegalStateException(registry + " broke the paging rule while listing for a watch");
        return;
      }
      for (ClientConnection client : clients) {
        if (client.revision() > snapshotStart) {
          listedSinceStart.put(client.clientId(), client.revision());
          maxListedRevision = Math.max(maxListedRevision, client.revision());
        }
      }
      // A short page is the last (the rule of ListingCursor).
      listingEnded = clients.size() < limit;
      if (!clients.isEmpty()) {
        listedUpTo = Optional.of(clients.get(clients.size() - 1).clientId());
        readyPage = clients;
      }
    }

    private void endListing() {
      snapshotEnd = Math.max(feed.latestRevision(), Math.max(maxListedRevision, snapshotStart));
      phase = Phase.CATCHING_UP;
    }

    // ---- Catching up to the snapshot's end ----

    private Optional<WatchEvent> catchUp(int max) {
      while (true) {
        if (cursor.position() >= snapshotEnd) {
          listedSinceStart.clear();
          phase = Phase.FOLLOWING;
          handed = snapshotEnd;
          return Optional.of(new WatchEvent.SnapshotComplete(snapshotEnd));
        }
        List<ClientChange> read = cursor.poll(max);
        if (read.isEmpty()) {
          return Optional.empty(); // the feed has not reached the snapshot's end yet
        }
        List<ClientChange> unseen = new ArrayList<>(read.size());
        for (ClientChange change : read) {
          if (change.revision() > snapshotEnd) {
            early.add(change);
          } else if (listedSinceStart.getOrDefault(change.clientId(), 0L) < change.revision()) {
            unseen.add(change);
          }
        }
        if (!unseen.isEmpty()) {
          return Optional.of(new WatchEvent.Changes(unseen));
        }
      }
    }

    // ---- Following ----

    private Optional<WatchEvent> follow(int max) {
      if (cutOff != null) {
        throw cutOff;
      }
      List<ClientChange> changes;
      if (!early.isEmpty()) {
        changes = new ArrayList<>(Math.min(max, early.size()));
        while (!early.isEmpty() && changes.size() < max) {
          changes.add(early.poll());
        }
      } else {
        changes = cursor.poll(max);
      }
      if (!changes.isEmpty()) {
        progressDue = false;
        handed = changes.get(changes.size() - 1).revision();
        return Optional.of(new WatchEvent.Changes(changes));
      }
      if (progressDue) {
        progressDue = false;
        return Optional.of(new WatchEvent.Progress(handed));
      }
      return Optional.empty();
    }

    // ---- The tick ----

    void scheduleTick() {
      synchronized (this) {
        if (phase == Phase.CLOSED) {
          return;
        }
        tick = timer.schedule(progressInterval, this::onTick);
      }
    }

    private void onTick() {
      boolean wake = false;
      synchronized (this) {
        if (phase == Phase.CLOSED) {
          return;
        }
        if (phase == Phase.FOLLOWING) {
          long behind = feed.latestRevision() - handed;
          if (behind > maxLag && cutOff == null) {
            cutOff = new WatcherTooSlowException(handed, behind);
            wake = true;
          } else if (!handedSinceTick) {
            progressDue = true;
            wake = true;
          }
        }
        handedSinceTick = false;
      }
      scheduleTick();
      if (wake) {
        onReady.run();
      }
    }

    @Override
    public long revision() {
      return handed;
    }

    @Override
    public void close() {
      Timer.Cancellable toCancel;
      synchronized (this) {
        if (phase == Phase.CLOSED) {
          return;
        }
        phase = Phase.CLOSED;
        open.decrementAndGet();
        toCancel = tick;
        readyPage = null;
        listedSinceStart.clear();
        early.clear();
      }
      cursor.close();
      if (toCancel != null) {
        toCancel.cancel();
      }
    }
  }
}

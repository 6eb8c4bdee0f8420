package org.connectionregistry.domain;

import java.lang.invoke.VarHandle;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The last {@link #capacity()} changes of a registry in a ring, and the cursors that read them:
 * the {@link ChangeFeed} every store hands its watchers. A watcher holds no copy of its own, only
 * a position, so ten thousand watchers cost ten thousand positions, and a watcher that reads too
 * slowly falls out of the window ({@link RevisionCompactedException}) instead of making the server
 * hold more.
 *
 * <p>One writer at a time: calls to {@link #append} must not overlap (the store appends in its own
 * order of changes, under its own lock or on its one committing thread). Readers never block the
 * writer: they read the ring without locks and check afterwards that what they read was not
 * overwritten meanwhile.
 *
 * <p>The ring keeps each change in columns of primitives (revision, time, status, reason) and the
 * client's ID, not as a {@link ClientChange} with its {@link java.time.Instant}: on a busy server
 * the last {@link #DEFAULT_CAPACITY} changes are seconds of traffic, and objects kept that long
 * outlive the young generation, so the collector would copy every change the ring holds. A store
 * that passes the ID instance it keeps anyway makes a change cost the ring no object at all. A
 * reader builds the {@link ClientChange}s it returns.
 *
 * <p>The writer never wakes readers itself: with ten thousand idle watchers, that would be ten
 * thousand calls inside every change. It hands the wake-up to one notifier thread shared by every
 * history in the process, and a change made while a wake-up is pending adds nothing to it, so a
 * busy registry wakes each waiting watcher once for a whole batch of changes.
 */
public final class ChangeHistory implements ChangeFeed {

  /** Changes kept by default: a few seconds of a busy server, minutes to hours of a calm one. */
  public static final int DEFAULT_CAPACITY = 100_000;

  private static final ConnectionStatus[] STATUSES = ConnectionStatus.values();
  private static final ChangeReason[] REASONS = ChangeReason.values();

  // The ring: a column per field of ClientChange; change number seq sits at seq % capacity.
  private final long[] revisions;
  private final ClientId[] clientIds;
  private final byte[] statuses;
  private final byte[] reasons;
  private final long[] epochSeconds;
  private final int[] nanos;
  private final int capacity;

  /** Sequence number (1, 2, ...) of the last change in the ring; its slot is seq % capacity. */
  private volatile long published;

  /**
   * Sequence number of the change being written, or of the last one: written before its slot is,
   * so a reader that checks it after reading knows whether a slot it read was being overwritten.
   */
  private volatile long claimed;

  private volatile long compacted;

  private final Queue<Cursor> waiting = new ConcurrentLinkedQueue<>();

  /** Whether this history is in the notifier's queue (or being woken) already. */
  private final AtomicBoolean wakePending = new AtomicBoolean();

  /** An empty history of at most {@code capacity} changes, from the registry's first change. */
  public ChangeHistory(int capacity) {
    this(capacity, 0);
  }

  /**
   * An empty history that starts later: changes up to {@code compactedRevision} are not kept (a
   * store reopened, or a mirror of another store's log that starts in the middle).
   */
  public ChangeHistory(int capacity, long compactedRevision) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive, got " + capacity);
    }
    if (compactedRevision < 0) {
      throw new IllegalArgumentException("revision cannot be negative, got " + compactedRevision);
    }
    this.capacity = capacity;
    this.revisions = new long[capacity];
    this.clientIds = new ClientId[capacity];
    this.statuses = new byte[capacity];
    this.reasons = new byte[capacity];
    this.epochSeconds = new long[capacity];
    this.nanos = new int[capacity];
    this.compacted = compactedRevision;
  }

  /**
   * Adds the newest change and wakes the cursors waiting for one. Its revision must be above
   * every revision before it.
   */
  public void append(ClientChange change) {
    long seq = published + 1;
    long floor = published == 0 ? compacted : revisions[slot(published)];
    if (change.revision() <= floor) {
      throw new IllegalArgumentException(
          "revision " + change.revision() + " does not follow revision " + floor);
    }
    int slot = slot(seq);
    if (seq > capacity) {
      compacted = revisions[slot]; // the change this one pushes out
    }
    claimed = seq;
    VarHandle.storeStoreFence(); // the slot is written after the claim
    revisions[slot] = change.revision();
    clientIds[slot] = change.clientId();
    statuses[slot] = (byte) change.status().ordinal();
    reasons[slot] = (byte) change.reason().ordinal();
    epochSeconds[slot] = change.at().getEpochSecond();
    nanos[slot] = change.at().getNano();
    published = seq; // the volatile write publishes the slot to readers
    if (!waiting.isEmpty() && wakePending.compareAndSet(false, true)) {
      Notifier.INSTANCE.schedule(this);
    }
  }

  /** Appends several changes in order, waking the waiting cursors once. */
  public void appendAll(List<ClientChange> changes) {
    for (ClientChange change : changes) {
      append(change);
    }
  }

  @Override
  public long latestRevision() {
    long seq = published;
    if (seq == 0) {
      return compacted;
    }
    return revisions[slot(seq)];
  }

  @Override
  public long compactedRevision() {
    return compacted;
  }

  /** Most changes kept. */
  public int capacity() {
    return capacity;
  }

  @Override
  public ChangeCursor openAfter(long revision, Runnable onChange) {
    if (revision < 0) {
      throw new IllegalArgumentException("revision cannot be negative, got " + revision);
    }
    while (true) {
      long last = published;
      long compactedNow = compacted;
      if (revision < compactedNow) {
        throw new RevisionCompactedException(revision, compactedNow);
      }
      long next = firstAfter(revision, last);
      VarHandle.loadLoadFence(); // the revisions searched are read before the claim is
      if (claimed - capacity < next || next > last) {
        return new Cursor(next, revision, onChange);
      }
      // The ring moved under the search; search again.
    }
  }

  /** The sequence number of the first change after {@code revision}, among those up to {@code last}. */
  private long firstAfter(long revision, long last) {
    long low = Math.max(1, last - capacity + 1);
    long high = last + 1; // answer in [low, high]
    while (low < high) {
      long mid = (low + high) >>> 1;
      if (revisions[slot(mid)] > revision) {
        high = mid;
      } else {
        low = mid + 1;
      }
    }
    return low;
  }

  private int slot(long seq) {
    return (int) (seq % capacity);
  }

  /** Runs on the notifier thread. */
  private void wakeWaiting() {
    // Cleared first: a change appended while the cursors are woken schedules another round.
    wakePending.set(false);
    Cursor cursor;
    while ((cursor = waiting.poll()) != null) {
      if (cursor.waiting.compareAndSet(true, false) && !cursor.closed) {
        cursor.onChange.run();
      }
    }
  }

  /** The one thread that wakes waiting cursors, for every history in the process. */
  private static final class Notifier implements Runnable {

    static final Notifier INSTANCE = new Notifier();

    private final Queue<ChangeHistory> due = new ConcurrentLinkedQueue<>();
    private final Thread thread;

    private Notifier() {
      thread = new Thread(this, "change-feed-notifier");
      thread.setDaemon(true);
      thread.start();
    }

    void schedule(ChangeHistory history) {
      due.add(history);
      LockSupport.unpark(thread);
    }

    @Override
    public void run() {
      while (true) {
        ChangeHistory history = due.poll();
        if (history == null) {
          LockSupport.park(this);
          continue;
        }
        try {
          history.wakeWaiting();
        } catch (RuntimeException e) {
          // A watcher's callback broke its promise to only schedule work; the others still wake.
          Thread current = Thread.currentThread();
          current.getUncaughtExceptionHandler().uncaughtException(current, e);
        }
      }
    }
  }

  @Override
  public String toString() {
    return "change history of " + capacity + " (latest " + latestRevision() + ")";
  }

  private final class Cursor implements ChangeCursor {

    private long next;
    private long position;
    private final Runnable onChange;
    private final AtomicBoolean waiting = new AtomicBoolean();
    private volatile boolean closed;

    Cursor(long next, long position, Runnable onChange) {
      this.next = next;
      this.position = position;
      this.onChange = onChange;
    }

    @Override
    public List<ClientChange> poll(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("max must be positive, got " + max);
      }
      List<ClientChange> read = read(max);
      if (!read.isEmpty() || closed) {
        return read;
      }
      if (waiting.compareAndSet(false, true)) {
        ChangeHistory.this.waiting.add(this);
      }
      // A change appended between the read and the registration woke nobody: look again.
      read = read(max);
      if (!read.isEmpty()) {
        waiting.set(false);
      }
      return read;
    }

    private List<ClientChange> read(int max) {
      long last = published;
      if (next > last) {
        return List.of();
      }
      long end = Math.min(last, next + max - 1);
      int count = (int) (end - next + 1);
      long[] revision = new long[count];
      ClientId[] clientId = new ClientId[count];
      byte[] status = new byte[count];
      byte[] reason = new byte[count];
      long[] seconds = new long[count];
      int[] nano = new int[count];
      for (int i = 0; i < count; i++) {
        int slot = slot(next + i);
        revision[i] = revisions[slot];
        clientId[i] = clientIds[slot];
        status[i] = statuses[slot];
        reason[i] = reasons[slot];
        seconds[i] = epochSeconds[slot];
        nano[i] = nanos[slot];
      }
      VarHandle.loadLoadFence(); // the slots are read before the claim is
      if (claimed - capacity >= next) {
        // Overwritten while (or before) it was read: this cursor fell out of the window.
        throw new RevisionCompactedException(position, compacted);
      }
      List<ClientChange> read = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        // A cursor opened after a revision the history had not reached yet skips what comes
        // before that revision.
        if (revision[i] > position) {
          read.add(
              new ClientChange(
                  revision[i],
                  clientId[i],
                  STATUSES[status[i]],
                  REASONS[reason[i]],
                  Instant.ofEpochSecond(seconds[i], nano[i])));
        }
      }
      next = end + 1;
      if (!read.isEmpty()) {
        position = read.get(read.size() - 1).revision();
      }
      return read;
    }

    @Override
    public long position() {
      return position;
    }

    @Override
    public void close() {
      closed = true;
      waiting.set(false);
    }
  }
}

package org.connectionregistry.adapter.store.redis;

import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.connectionregistry.adapter.store.redis.ChangeLogOutput.LogEntry;
import org.connectionregistry.domain.ChangeReason;
import org.connectionregistry.domain.ClientChange;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionStatus;

/**
 * This server's one reader of the shared change log (a Redis Stream), on a connection of its own:
 * it loads the log's last entries at start, then follows it with {@code XREAD BLOCK} from the
 * last ID it has, and appends every change to the local {@link RestartableFeed} that this
 * server's watchers read. So a change made through any server reaches every server's watchers.
 *
 * <p><b>Outages.</b> When Redis goes away the reader retries every {@value #RETRY_MILLIS} ms and
 * carries on from its last ID. It never skips a gap silently: the log's revisions follow each
 * other without holes, so an entry after a hole means the stream was trimmed past this reader
 * (the feed starts again after the hole: cursors behind it get {@code RevisionCompactedException});
 * and once a second, and after every failure, it checks that the entry it read last is still in
 * the log as it read it: when not (Redis restarted empty, a failover lost the last writes), the
 * changes it delivered may no longer be the registry's, and the feed is {@link
 * RestartableFeed#reset reset} (every cursor fails, its watcher lists again).
 *
 * <p><b>Repair (cluster).</b> On a Redis Cluster a change is written to the log first and then to
 * the client's bucket (see {@link RedisConnectionRegistry}); {@code repair} writes changes to their
 * buckets again, guarded by revision, so it is harmless twice. The reader repairs the log's tail
 * once at start (what a server that died between the two steps left), every change written
 * through other servers (in case they die between the steps), and this server's own changes whose
 * second step failed.
 */
final class ChangeLogReader implements Runnable {

  /** Writes changes into their buckets, guarded by revision; may block (the reader's thread). */
  interface Repair {
    void apply(List<ClientChange> changes) throws Exception;
  }

  static final String CLIENT = "client";
  static final String STATUS = "status";
  static final String REASON = "reason";
  static final String AT = "at";
  static final String ORIGIN = "origin";
  static final String RESET = "reset";

  private static final Logger LOG = Logger.getLogger(ChangeLogReader.class.getName());
  private static final int RETRY_MILLIS = 200;
  private static final long BLOCK_MILLIS = 500;
  private static final int BATCH = 1_000;
  private static final long VERIFY_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** At most this many of the log's last entries are repaired at start. */
  private static final int REPAIR_AT_START = 10_000;

  private final RedisClusterCommands<String, String> commands;
  private final Runnable closeConnection;
  private final String changesKey;
  private final String revisionKey;
  private final RestartableFeed feed;
  private final String origin;
  private final Repair repair;
  private final Queue<ClientChange> toRepair = new ConcurrentLinkedQueue<>();
  private final Thread thread;
  private volatile boolean closed;

  /** The last entry read, or null before the first. */
  private ClientChange last;
  private String lastId;
  private long lastVerified = System.nanoTime();
  private boolean verifyNow;

  /**
   * Loads the log's last {@code feed.capacity()} entries into a new feed (repairing them, on a
   * cluster) and is ready to {@link #start}.
   */
  ChangeLogReader(
      RedisClusterCommands<String, String> commands,
      Runnable closeConnection,
      String changesKey,
      String revisionKey,
      int capacity,
      String origin,
      Repair repair)
      throws Exception {
    this.commands = commands;
    this.closeConnection = closeConnection;
    this.changesKey = changesKey;
    this.revisionKey = revisionKey;
    this.origin = origin;
    this.repair = repair;
    List<LogEntry> newestFirst = newest(capacity);
    List<ClientChange> tail = new ArrayList<>(newestFirst.size());
    for (LogEntry entry : newestFirst) {
      ClientChange change = parse(entry);
      tail.add(change);
      if (entry.reset()) {
        break; // changes before a reset may have been lost: the history starts after it
      }
    }
    Collections.reverse(tail);
    long compacted;
    if (tail.isEmpty()) {
      String revision = commands.get(revisionKey);
      compacted = revision == null ? 0 : Long.parseLong(revision);
    } else {
      compacted = tail.get(0).revision() - 1;
    }
    this.feed = new RestartableFeed(capacity, compacted);
    feed.appendAll(tail);
    if (repair != null && !tail.isEmpty()) {
      List<ClientChange> recent = tail.subList(Math.max(0, tail.size() - REPAIR_AT_START), tail.size());
      try {
        repair.apply(recent);
      } catch (Exception e) {
        toRepair.addAll(recent); // a bucket's master is away: the reader tries again
      }
    }
    last = tail.isEmpty() ? null : tail.get(tail.size() - 1);
    lastId = idOf(feed.latestRevision());
    this.thread = new Thread(this, "redis-change-log");
    thread.setDaemon(true);
  }

  RestartableFeed feed() {
    return feed;
  }

  void start() {
    thread.start();
  }

  /** Has the reader write {@code change} into its bucket again, soon and until it succeeds. */
  void repairLater(ClientChange change) {
    toRepair.add(change);
  }

  /** Stops the reader, closes its connection, and waits (boundedly) for its thread. */
  void close() {
    closed = true;
    thread.interrupt();
    try {
      closeConnection.run();
    } catch (RuntimeException e) {
      // closing anyway
    }
    try {
      thread.join(TimeUnit.SECONDS.toMillis(3));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void run() {
    while (!closed) {
      try {
        if (verifyNow || System.nanoTime() - lastVerified > VERIFY_NANOS) {
          verify();
        }
        repairPending();
        List<LogEntry> read = after(lastId);
        if (!read.isEmpty()) {
          follow(read);
        }
      } catch (Exception e) {
        if (closed) {
          return;
        }
        verifyNow = true;
        LOG.log(Level.FINE, "change log reader: " + e.getMessage(), e);
        try {
          Thread.sleep(RETRY_MILLIS);
        } catch (InterruptedException interrupted) {
          if (closed) {
            return;
          }
        }
      }
    }
  }

  private void follow(List<LogEntry> read) throws Exception {
    List<ClientChange> others = new ArrayList<>();
    for (LogEntry entry : read) {
      ClientChange change = parse(entry);
      long latest = feed.latestRevision();
      if (change.revision() <= latest) {
        continue;
      }
      if (entry.reset()) {
        // Written after the log had lost changes this server had seen.
        LOG.warning("The change log in Redis lost changes up to revision " + (change.revision() - 1)
            + "; watchers list again.");
        feed.reset(change.revision() - 1);
      } else if (change.revision() > latest + 1) {
        // The log's revisions have no holes: this reader fell behind a trimmed stream.
        feed.restartAt(change.revision() - 1);
      }
      feed.append(change);
      last = change;
      lastId = entry.id();
      if (repair != null && !origin.equals(entry.origin())) {
        others.add(change);
      }
    }
    if (!others.isEmpty()) {
      try {
        repair.apply(others);
      } catch (Exception e) {
        toRepair.addAll(others); // tried again before the next read
        throw e;
      }
    }
  }

  /**
   * Checks that the entry read last is still the log's: if it is gone while the log holds entries
   * up to it or none at all, or differs, Redis lost changes, and the feed starts again.
   */
  private void verify() {
    lastVerified = System.nanoTime();
    if (last == null) {
      // Nothing read yet (or just reset): follow the log where it is, should another server have
      // started it again below this reader's place. An empty log keeps this server's place, so
      // that its next write continues above it.
      List<LogEntry> newest = newest(1);
      if (!newest.isEmpty() && revisionOf(newest.get(0).id()) < feed.latestRevision()) {
        resetTo(revisionOf(newest.get(0).id()));
      }
      verifyNow = false;
      return;
    }
    List<LogEntry> same = range(lastId, lastId, 1);
    boolean intact;
    if (same.isEmpty()) {
      // Trimmed past it (the next read shows the hole), or lost.
      List<LogEntry> oldest = range("-", "+", 1);
      intact =
          oldest.isEmpty()
              ? revisionOrZero() >= last.revision()
              : revisionOf(oldest.get(0).id()) > last.revision();
    } else {
      intact = parse(same.get(0)).equals(last);
    }
    if (!intact) {
      List<LogEntry> newest = newest(1);
      long logLatest = newest.isEmpty() ? revisionOrZero() : revisionOf(newest.get(0).id());
      LOG.warning("The change log in Redis no longer holds revision " + last.revision()
          + " as this server read it (Redis restarted or failed over); watchers list again.");
      // Revisions go on above what this server has seen (its writes carry it as their floor).
      resetTo(Math.max(logLatest, last.revision()));
    }
    verifyNow = false;
  }

  private void resetTo(long revision) {
    feed.reset(revision);
    last = null;
    lastId = idOf(revision);
  }

  private long revisionOrZero() {
    String revision = commands.get(revisionKey);
    return revision == null ? 0 : Long.parseLong(revision);
  }

  private void repairPending() throws Exception {
    if (repair == null || toRepair.isEmpty()) {
      return;
    }
    List<ClientChange> batch = new ArrayList<>();
    for (ClientChange change : toRepair) {
      batch.add(change);
    }
    repair.apply(batch);
    toRepair.removeAll(batch);
  }

  static String idOf(long revision) {
    return revision + "-0";
  }

  static long revisionOf(String id) {
    return Long.parseLong(id.substring(0, id.indexOf('-')));
  }

  /** The log's entries after {@code id}, waiting up to {@value #BLOCK_MILLIS} ms for one. */
  private List<LogEntry> after(String id) {
    CommandArgs<String, String> args = new CommandArgs<>(OrderPreservingCodec.INSTANCE)
        .add("BLOCK").add(BLOCK_MILLIS).add("COUNT").add(BATCH)
        .add("STREAMS").addKey(changesKey).add(id);
    return commands.dispatch(CommandType.XREAD, new ChangeLogOutput(true), args);
  }

  /** The log's newest {@code count} entries, newest first. */
  private List<LogEntry> newest(int count) {
    CommandArgs<String, String> args = new CommandArgs<>(OrderPreservingCodec.INSTANCE)
        .addKey(changesKey).add("+").add("-").add("COUNT").add(count);
    return commands.dispatch(CommandType.XREVRANGE, new ChangeLogOutput(false), args);
  }

  /** The log's first {@code count} entries from {@code start} to {@code end}, oldest first. */
  private List<LogEntry> range(String start, String end, int count) {
    CommandArgs<String, String> args = new CommandArgs<>(OrderPreservingCodec.INSTANCE)
        .addKey(changesKey).add(start).add(end).add("COUNT").add(count);
    return commands.dispatch(CommandType.XRANGE, new ChangeLogOutput(false), args);
  }

  static ClientChange parse(LogEntry entry) {
    if (entry.client() == null || entry.status() == null || entry.reason() == null
        || entry.at() == Long.MIN_VALUE) {
      throw new IllegalStateException("The change log's entry " + entry.id() + " is incomplete: " + entry);
    }
    return new ClientChange(
        revisionOf(entry.id()),
        new ClientId(entry.client()),
        ConnectionStatus.fromLabel(entry.status()),
        ChangeReason.fromLabel(entry.reason()),
        Instant.ofEpochMilli(entry.at()));
  }
}

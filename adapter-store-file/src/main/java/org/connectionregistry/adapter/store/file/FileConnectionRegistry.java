package org.connectionregistry.adapter.store.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.connectionregistry.domain.ChangeFeed;
import org.connectionregistry.domain.ChangeHistory;
import org.connectionregistry.domain.ChangeReason;
import org.connectionregistry.domain.ClientChange;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientCounts;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionRegistry;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.RegistryUnavailableException;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.h2.mvstore.RootReference;
import org.h2.mvstore.MVStore.TxCounter;
import org.h2.mvstore.type.LongDataType;
import org.h2.mvstore.type.StringDataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A registry kept in one file on local disk, in an H2 MVStore: it survives restarts and crashes.
 *
 * <p><b>Durability.</b> The stage {@link #record} returns completes only once its change is
 * committed and the file is synced to disk, so after {@code kill -9} (or a power cut, as far as
 * the disk honours fsync) every acknowledged change is there on reopen. An fsync costs about half
 * a millisecond or more, so writes are <em>group-committed</em>: a call queues its change and
 * returns at once; one committer thread takes everything queued, applies it, commits and syncs
 * once, and hands the whole batch to a completer thread, which completes their stages while the
 * committer already writes the next batch. No caller's thread waits, so every call in flight can
 * be in the queue: under load one sync serves as many calls as arrived during the sync before.
 * {@link #syncs()} and {@link #writes()} count them, and {@link #close} logs the average.
 *
 * <p>MVStore's background auto-commit is off: the committer is the only thing that writes the
 * file, so what is on disk is always a whole batch, and no sync races a half-applied batch. The
 * committer also does the housekeeping the background thread would have done: at most once a
 * second it rewrites sparse chunks, so the file does not grow without bound under overwrites. Because every
 * commit is synced, dead chunks may be reused as soon as no kept version needs them (MVStore's
 * time-based retention exists for stores that do not sync; we keep the last few versions instead).
 *
 * <p><b>Checkpoints.</b> A group commit writes only what is new: the changes, under their
 * revisions in the kept history (sequential keys, so they land in the rightmost leaf), and the
 * registry's revision and counts. The clients whose entries changed are kept in an in-memory
 * overlay (an MVMap of an in-memory MVStore, copy-on-write like the file's) instead of dirtying
 * one leaf of the {@code clients} map each. Now and then ({@link Checkpoints}: by default every
 * second or 50,000 changes under load, after a quiet second, and on close) a commit also writes
 * the overlay into the {@code clients} map and records its revision as {@code applied}; a client
 * that changed many times since the last checkpoint is written once. The overlay keeps its entries
 * past the checkpoint (they now equal the map's; up to 65,536 of them), so the committer finds a
 * recently changed client's status there instead of through the file's page cache, and the next
 * checkpoint writes only the entries whose revision is above {@code applied}. A batch whose commit would
 * drop from the history a change newer than {@code applied} is a checkpoint too, so the history
 * always holds every change the map lacks: on open (and on reopening after a failed write) they
 * are replayed from it into the map, in the commit the open makes anyway.
 *
 * <p><b>Reads</b> run on a small pool of reader threads, since a cold page may come from disk, and
 * see only synced data: after each sync the committer publishes the roots of the {@code clients}
 * map and of the overlay, as one, and readers walk those immutable copy-on-write snapshots, the
 * overlay's entries winning over the map's. A reader therefore never sees a change that a crash
 * could still take back, and a page of a listing is one consistent version.
 *
 * <p><b>Faults.</b> The file is this store's engine. If it is deleted or replaced while the server
 * runs, writes would go on into a file that no restart can find again; so every batch, every read
 * and every health check first makes sure the path still names the file that was opened (one
 * {@code stat}), and from the first time it does not, every call fails with a {@link
 * RegistryUnavailableException} naming the file, as after a failed write.
 *
 * <p><b>Recovery.</b> A failed commit or sync (the disk is full, say) fails the calls of that
 * batch; none of them is acknowledged. The file still holds its last good version, but this
 * process's copy is now ahead of it, so the committer drops that copy ({@code closeImmediately})
 * and, until it can write again, every call fails at once with a {@link
 * RegistryUnavailableException} and {@link #isAvailable} is false. Four times a second the
 * committer checks that the file system has 1 MiB free again, then reopens the file from its last
 * good version and probes it with a real commit and sync of a one-entry change to MVStore's own
 * settings; once that reaches the disk, it swaps the reopened store in and serves calls again, with no restart.
 * A file that was deleted or replaced never comes back this way: that needs the operator.
 *
 * <p><b>Revisions, counts and history.</b> The committer is the one writer, so it assigns the
 * revisions, in commit order. Each change writes, in the batch's one commit: the change under its
 * revision in the kept history (client, status, reason, time; the oldest dropped beyond the history
 * capacity), and the registry's revision and its two counts; the client's entry (status, revision,
 * since) follows at the next checkpoint, and until then is rebuilt from the history after a crash.
 * A batch is therefore on disk whole or not at all, and after a restart or a
 * {@code kill -9} revisions go on from the last one acknowledged, the counts are right, and the
 * kept history is loaded into the {@link ChangeHistory} that watchers read. Changes reach that
 * feed only after their batch is synced, in revision order, from the committer thread; a failed
 * commit advances nothing. A call that repeats a client's status is no change: it goes through the
 * queue like any other and completes with the batch that holds it (a batch of repeats only needs
 * no sync, as everything before it is already on disk).
 *
 * <p><b>Layout.</b> Map {@code clients}: client ID (as a string, compared like {@link
 * String#compareTo}, so the sorted map gives client-ID order and keyset paging directly) to {@link
 * StoredEntry}, as of the last checkpoint. Map {@code changes}: revision to {@link ClientChange}.
 * Map {@code registry}: the file format, the revision, the counts and the checkpoint's revision
 * ({@code applied}). A file of format 2, which had no checkpoints (its {@code clients} map holds
 * every change), opens as it is and is marked format 3, which that version refuses as newer
 * rather than misread. A file of the first format (one map {@code
 * statuses}, ID to status label) is upgraded in place when opened, in one commit: its clients get
 * revisions 1 to n in client-ID order and the upgrade's time as their {@code since}.
 */
public final class FileConnectionRegistry implements ConnectionRegistry {

  /** The map of the first format: client ID to status label, no revisions. */
  private static final String OLD_STATUSES = "statuses";
  private static final String CLIENTS = "clients";
  private static final String CHANGES = "changes";
  private static final String REGISTRY = "registry";
  private static final Set<String> OUR_MAPS = Set.of(OLD_STATUSES, CLIENTS, CHANGES, REGISTRY);
  /**
   * The file format this code writes: 2 has revisions, counts and history; 3 adds checkpoints, so
   * the clients map may lag the history, up to the revision under {@link #APPLIED_KEY}.
   */
  private static final long FORMAT = 3;
  private static final String FORMAT_KEY = "format";
  /** The revision up to which the clients map holds every change; absent in format 2 (all of them). */
  private static final String APPLIED_KEY = "applied";
  private static final String REVISION_KEY = "revision";
  private static final String CONNECTED_KEY = "connected";
  private static final String DISCONNECTED_KEY = "disconnected";
  /** Bounds one batch, so a sync is never held back by an endless stream of writers. */
  private static final int MAX_BATCH = 4096;
  /** Versions kept readable after they are superseded; protects readers of a recent snapshot. */
  private static final int VERSIONS_TO_KEEP = 5;
  /**
   * Housekeeping (rewriting chunks less than half full) runs at most this often: each run reads
   * and rewrites chunks, which cost a tenth of the committer's time when it ran every 64 batches.
   */
  private static final long COMPACTION_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
  /**
   * Pages are split beyond this size. Every commit rewrites the rightmost leaf of the history and
   * the pages above it whole, so leaves of 4 KiB rather than MVStore's 16 KiB serialize a quarter
   * as much per group commit; the deeper tree costs a lookup one more level at most.
   */
  private static final int PAGE_SPLIT_BYTES = 4 * 1024;
  /**
   * Entries the overlay keeps past a checkpoint. The committer looks every change's client up
   * in the overlay before the file's map, whose pages it reaches through MVStore's page cache at
   * several times the cost; keeping recently changed clients there saves that lookup for most
   * changes. Beyond this many, a checkpoint empties the overlay, which bounds its memory.
   */
  private static final int OVERLAY_KEPT = 1 << 16;
  private static final int COMPACT_TARGET_FILL_RATE = 50;
  private static final int COMPACT_WRITE_BYTES = 1 << 20;
  private static final int READERS = 2;
  /** While the file cannot be written, how often the committer tries to reopen it. */
  private static final long RECOVERY_INTERVAL_MILLIS = 250;
  /**
   * Free space the file system must have before the committer tries the file again. Without it,
   * reopening frees a few old chunks inside the file, a tiny probe fits there, and the store would
   * come back only to fail the next batch: calls and health would flap while the disk is full.
   */
  private static final long RECOVERY_HEADROOM_BYTES = 1L << 20;
  private static final Logger log = LoggerFactory.getLogger(FileConnectionRegistry.class);

  private final Path file;
  private final String name;
  /** The identity (device and inode) of the file that was opened, to notice it being replaced. */
  private final Object fileKey;
  /** The open store and its maps; only the committer uses them (and close, after the committer). */
  private MVStore store;
  private Maps maps;
  private final Clock clock;
  private final int historyCapacity;
  /** What watchers read: the kept history and every synced change after it. */
  private final ChangeHistory history;
  // The committer's own state, as of the last synced batch; reloaded from the file on recovery.
  private long revision;
  private long connected;
  private long disconnected;
  /** The newest revision no longer in the file's history: it holds compacted+1 .. revision. */
  private long compacted;
  /** The revision of the last checkpoint: the file's clients map holds every change up to it. */
  private volatile long applied;
  private long lastCheckpointNanos;
  private final Checkpoints checkpoints;
  /**
   * The entries changed since the last checkpoint (in memory only; their changes are in the file's
   * history). Only the committer writes it; readers see the root published with each synced batch.
   */
  private final MVMap<String, StoredEntry> overlay;
  private final MVStore overlayStore;
  /** The counts as of the last synced batch, for {@link #counts()}. */
  private volatile ClientCounts counts;
  private final BlockingQueue<PendingWrite> queue = new LinkedBlockingQueue<>();
  /** Completes the stages of a synced batch, so the committer can start on the next one. */
  private final ExecutorService completer;
  private final ExecutorService readers;
  private volatile long writes;
  private volatile long syncs;
  /** Writers enqueue under the read lock; close takes the write lock, so none is left behind. */
  private final ReadWriteLock closeLock = new ReentrantReadWriteLock();
  private final Thread committer;
  /** What readers see: the last synced root, and the store it lives in. */
  private volatile View committed;
  private volatile boolean closed;
  /** Why calls fail now, or null; cleared again when the committer recovers from a failed write. */
  private volatile RegistryUnavailableException failure;
  /** The path no longer names the file that was opened: no recovery from that. */
  private volatile boolean gone;

  private FileConnectionRegistry(
      Path file, MVStore store, int historyCapacity, Clock clock, Checkpoints checkpoints) {
    this.file = file;
    this.name = "Store file " + file;
    this.fileKey = currentFileKey(file);
    this.clock = clock;
    this.historyCapacity = historyCapacity;
    this.checkpoints = checkpoints;
    this.store = store;
    this.maps = openMaps(store);
    checkFormat(file, maps);
    if (store.hasMap(OLD_STATUSES)) {
      upgrade(file, store, maps, clock.millis());
    } else if (maps.registry.isEmpty()) {
      maps.registry.put(FORMAT_KEY, FORMAT);
      maps.writeState(0, 0, 0);
    }
    loadState(maps);
    int replayed = replayUnapplied(maps);
    if (replayed > 0) {
      log.info("{}: replayed the {} changes made since its last checkpoint.", name, replayed);
    }
    // The history capacity may have been lowered since the file was last open.
    long kept = Math.max(compacted, revision - historyCapacity);
    dropHistory(compacted, kept);
    compacted = kept;
    store.commit();
    store.sync();
    this.history = new ChangeHistory(historyCapacity, compacted);
    Cursor<Long, ClientChange> changes = maps.changes.cursor(null);
    while (changes.hasNext()) {
      changes.next();
      history.append(changes.getValue());
    }
    this.counts = new ClientCounts(connected, disconnected, revision);
    this.overlayStore = new MVStore.Builder().autoCommitDisabled().open();
    this.overlay =
        overlayStore.openMap(
            CLIENTS,
            new MVMap.Builder<String, StoredEntry>()
                .keyType(StringDataType.INSTANCE)
                .valueType(StoredEntry.Type.INSTANCE));
    this.lastCheckpointNanos = System.nanoTime();
    publish();
    this.completer = Executors.newSingleThreadExecutor(daemon("file-registry-completer " + file.getFileName()));
    this.readers = Executors.newFixedThreadPool(READERS, daemon("file-registry-reader " + file.getFileName()));
    this.committer = daemon("file-registry-committer " + file.getFileName()).newThread(this::commitLoop);
    committer.start();
  }

  /**
   * Opens the store in {@code file}, creating it (but not its directory) if it does not exist, and
   * keeps the last {@link ChangeHistory#DEFAULT_CAPACITY} changes for watchers.
   *
   * @throws StoreOpenException with a one-line message naming the file and the problem: the
   *     directory is missing or not writable, the path is a directory, the file is not a store
   *     of ours or is corrupt, or another process has it open
   */
  public static FileConnectionRegistry open(Path file) {
    return open(file, ChangeHistory.DEFAULT_CAPACITY);
  }

  /**
   * Opens the store in {@code file} as {@link #open(Path)} does, keeping the last {@code
   * historyCapacity} changes in the file for watchers (older ones are dropped as new ones come,
   * and at once if the file holds more).
   *
   * @throws IllegalArgumentException if {@code historyCapacity} is below 1
   */
  public static FileConnectionRegistry open(Path file, int historyCapacity) {
    return open(file, historyCapacity, Clock.systemUTC());
  }

  /** {@link #open(Path, int)}, dating changes (and an upgrade) by {@code clock}. */
  static FileConnectionRegistry open(Path file, int historyCapacity, Clock clock) {
    return open(file, historyCapacity, clock, Checkpoints.DEFAULT);
  }

  /** {@link #open(Path, int, Clock)}, folding changes into the clients map as {@code checkpoints} say. */
  static FileConnectionRegistry open(Path file, int historyCapacity, Clock clock, Checkpoints checkpoints) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(checkpoints, "checkpoints");
    if (historyCapacity < 1) {
      throw new IllegalArgumentException("history capacity must be positive, got " + historyCapacity);
    }
    Path path = file.toAbsolutePath().normalize();
    checkPath(path);
    boolean isNew = !Files.exists(path);
    MVStore store;
    try {
      store = builder(path).open();
    } catch (MVStoreException e) {
      throw new StoreOpenException(path, describe(e), e);
    } catch (RuntimeException e) {
      throw new StoreOpenException(path, "cannot be opened: " + oneLine(e.getMessage()), e);
    }
    try {
      Set<String> foreignMaps = new java.util.TreeSet<>(store.getMapNames());
      foreignMaps.removeAll(OUR_MAPS);
      if (!foreignMaps.isEmpty()) {
        throw new StoreOpenException(
            path, "is an MVStore file of another program (it holds " + foreignMaps + ")");
      }
      FileConnectionRegistry registry = new FileConnectionRegistry(path, store, historyCapacity, clock, checkpoints);
      if (isNew) {
        syncDirectory(path.getParent());
      }
      return registry;
    } catch (RuntimeException e) {
      store.closeImmediately();
      if (e instanceof StoreOpenException) {
        throw e;
      }
      throw new StoreOpenException(path, "cannot be opened: " + oneLine(e.getMessage()), e);
    }
  }

  /** The file this registry keeps its data in. */
  public Path file() {
    return file;
  }

  /** Most changes kept for watchers, in the file and in {@link #changes()}. */
  public int historyCapacity() {
    return historyCapacity;
  }

  @Override
  public CompletionStage<ClientConnection> record(
      ClientId clientId, ConnectionStatus status, ChangeReason reason) {
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(reason, "reason");
    PendingWrite write = new PendingWrite(clientId, status, reason);
    closeLock.readLock().lock();
    try {
      // The file itself is checked once per batch by the committer, not once per call here.
      if (closed) {
        return CompletableFuture.failedStage(new RegistryUnavailableException(name + " is closed"));
      }
      if (failure != null) {
        return CompletableFuture.failedStage(failure);
      }
      queue.add(write);
    } finally {
      closeLock.readLock().unlock();
    }
    return write.done;
  }

  @Override
  public CompletionStage<Optional<ConnectionStatus>> statusOf(ClientId clientId) {
    return read(view -> {
      String id = clientId.value();
      StoredEntry entry = overlay.get(view.pending.root, id);
      if (entry == null) {
        entry = view.clients.get(view.root.root, id);
      }
      return Optional.ofNullable(entry).map(StoredEntry::status);
    });
  }

  /** The counts as of the last synced change: kept as changes are made, never counted. */
  @Override
  public CompletionStage<ClientCounts> counts() {
    RegistryUnavailableException refusal = refusal();
    if (refusal != null) {
      return CompletableFuture.failedStage(refusal);
    }
    return CompletableFuture.completedStage(counts);
  }

  @Override
  public ChangeFeed changes() {
    return history;
  }

  @Override
  public CompletionStage<List<ClientConnection>> list(Optional<ClientId> after, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive, got " + limit);
    }
    return read(view -> {
      // The checkpointed entries, merged in client-ID order with those changed since (which win).
      Cursor<String, StoredEntry> stored = cursorAfter(view.clients, view.root, after);
      Cursor<String, StoredEntry> pending = cursorAfter(overlay, view.pending, after);
      List<ClientConnection> page = new ArrayList<>(Math.min(limit, 1024));
      String storedId = next(stored);
      String pendingId = next(pending);
      while (page.size() < limit && (storedId != null || pendingId != null)) {
        int order = storedId == null ? 1 : pendingId == null ? -1 : storedId.compareTo(pendingId);
        if (order < 0) {
          page.add(stored.getValue().toConnection(storedId));
          storedId = next(stored);
        } else {
          page.add(pending.getValue().toConnection(pendingId));
          pendingId = next(pending);
          if (order == 0) {
            storedId = next(stored);
          }
        }
      }
      return page;
    });
  }

  /** The entries of {@code root} after {@code after} (all if empty), or null if there are none. */
  private static Cursor<String, StoredEntry> cursorAfter(
      MVMap<String, StoredEntry> map, RootReference<String, StoredEntry> root, Optional<ClientId> after) {
    if (after.isEmpty()) {
      return new Cursor<>(root, null, null);
    }
    String from = map.higherKey(root, after.get().value());
    return from == null ? null : new Cursor<>(root, from, null);
  }

  private static String next(Cursor<String, StoredEntry> cursor) {
    return cursor != null && cursor.hasNext() ? cursor.next() : null;
  }

  /** The revision of the last checkpoint, for tests: the file's clients map holds every change up to it. */
  long checkpointedRevision() {
    return applied;
  }

  /**
   * How many calls to {@link #record} were acknowledged since the file was opened (repeats of a
   * status included: they complete with the batch that holds them).
   */
  public long writes() {
    return writes;
  }

  /** How many syncs those writes took: {@code writes() / syncs()} calls shared one fsync. */
  public long syncs() {
    return syncs;
  }

  @Override
  public boolean isAvailable() {
    if (closed) {
      return false;
    }
    checkFile();
    return failure == null;
  }

  @Override
  public String toString() {
    return name;
  }

  /**
   * Waits for queued writes and reads under way, then commits, syncs and closes the file, and
   * completes the last stages. Later calls fail.
   */
  @Override
  public void close() {
    closeLock.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      queue.add(PendingWrite.STOP);
    } finally {
      closeLock.writeLock().unlock();
    }
    joinUninterruptibly(committer);
    readers.shutdown();
    awaitUninterruptibly(readers);
    if (store == null) {
      // dropped after a failed write and not reopened since: nothing to close
    } else if (failure == null) {
      store.close();
    } else {
      store.closeImmediately();
    }
    overlayStore.closeImmediately();
    completer.shutdown();
    awaitUninterruptibly(completer);
    long synced = syncs;
    log.info(
        "{} closed: {} writes in {} syncs ({} writes per sync).",
        name, writes, synced, synced == 0 ? "0" : String.format(java.util.Locale.ROOT, "%.1f", (double) writes / synced));
  }

  private void commitLoop() {
    List<PendingWrite> batch = new ArrayList<>();
    long lastCompaction = System.nanoTime();
    long nextAttempt = System.nanoTime();
    while (true) {
      batch.clear();
      PendingWrite first;
      try {
        if (recovering()) {
          long now = System.nanoTime();
          if (now - nextAttempt >= 0) {
            tryToReopen();
            nextAttempt = now + TimeUnit.MILLISECONDS.toNanos(RECOVERY_INTERVAL_MILLIS);
          }
          // Calls keep failing fast meanwhile: the committer wakes for them or for the next try.
          first = recovering()
              ? queue.poll(Math.max(0, nextAttempt - System.nanoTime()), TimeUnit.NANOSECONDS)
              : queue.poll();
          if (first == null) {
            continue;
          }
        } else if (applied < revision && failure == null) {
          // Changes wait for a checkpoint: fold them in once the queue has been quiet long enough.
          long due = lastCheckpointNanos + checkpoints.interval().toNanos() - System.nanoTime();
          first = queue.poll(Math.max(0, due), TimeUnit.NANOSECONDS);
          if (first == null) {
            checkpointNow();
            continue;
          }
        } else {
          first = queue.take();
        }
      } catch (InterruptedException e) {
        continue; // only close stops the committer, via STOP, so no write is stranded
      }
      batch.add(first);
      queue.drainTo(batch, MAX_BATCH - 1);
      boolean stop = batch.remove(PendingWrite.STOP);
      if (failure != null) {
        batch.forEach(write -> write.done.completeExceptionally(failure));
      } else if (!batch.isEmpty()) {
        commitBatch(batch);
        if (System.nanoTime() - lastCompaction >= COMPACTION_INTERVAL_NANOS) {
          lastCompaction = System.nanoTime();
          compact();
        }
      }
      if (stop) {
        checkpointNow();
        return;
      }
    }
  }

  private void commitBatch(List<PendingWrite> batch) {
    checkFile();
    if (failure != null) {
      batch.forEach(write -> write.done.completeExceptionally(failure));
      return;
    }
    try {
      // Local until the sync succeeds: a failed commit must advance nothing.
      long newRevision = revision;
      long newConnected = connected;
      long newDisconnected = disconnected;
      Instant now = Instant.ofEpochMilli(clock.millis());
      List<ClientChange> made = new ArrayList<>();
      ClientConnection[] entries = new ClientConnection[batch.size()];
      for (int i = 0; i < batch.size(); i++) {
        PendingWrite write = batch.get(i);
        String key = write.clientId.value();
        // The live maps: an earlier write of this same batch counts as the current status.
        StoredEntry current = overlay.get(key);
        if (current == null) {
          current = maps.clients.get(key);
        }
        if (current != null && current.status() == write.status) {
          entries[i] = current.toConnection(write.clientId);
          continue;
        }
        newRevision++;
        ClientChange change = new ClientChange(newRevision, write.clientId, write.status, write.reason, now);
        overlay.put(key, new StoredEntry(write.status, newRevision, now.toEpochMilli()));
        maps.changes.put(newRevision, change);
        if (current != null) {
          newConnected -= countsAsConnected(current.status());
          newDisconnected -= 1 - countsAsConnected(current.status());
        }
        newConnected += countsAsConnected(write.status);
        newDisconnected += 1 - countsAsConnected(write.status);
        made.add(change);
        entries[i] = change.entry();
      }
      if (!made.isEmpty()) {
        long newCompacted = Math.max(compacted, newRevision - historyCapacity);
        boolean checkpoint = checkpointDue(newRevision, newCompacted);
        if (checkpoint) {
          applyOverlay(newRevision);
        }
        dropHistory(compacted, newCompacted);
        maps.writeState(newRevision, newConnected, newDisconnected);
        store.commit();
        store.sync();
        syncs++;
        if (checkpoint) {
          checkpointed(newRevision);
        }
        publish();
        revision = newRevision;
        connected = newConnected;
        disconnected = newDisconnected;
        compacted = newCompacted;
        counts = new ClientCounts(newConnected, newDisconnected, newRevision);
        // Before any caller hears of its change, so a watch opened after the answer sees it.
        history.appendAll(made);
      }
      writes += batch.size();
      List<PendingWrite> synced = List.copyOf(batch);
      completer.execute(() -> {
        for (int i = 0; i < synced.size(); i++) {
          synced.get(i).done.complete(entries[i]);
        }
      });
    } catch (RuntimeException e) {
      RegistryUnavailableException failed = writeFailed(e);
      batch.forEach(write -> write.done.completeExceptionally(failed));
    }
  }

  /**
   * Whether this batch's commit also folds the changes since the last checkpoint into the clients
   * map: when enough have gathered, enough time has passed, or the history is about to drop a
   * change that the clients map does not hold yet (the replay after a crash needs every one).
   */
  private boolean checkpointDue(long newRevision, long newCompacted) {
    return newCompacted > applied
        || newRevision - applied >= checkpoints.changes()
        || System.nanoTime() - lastCheckpointNanos >= checkpoints.interval().toNanos();
  }

  /**
   * Writes the entries changed since the last checkpoint into the clients map, in the commit under
   * way. The overlay may also hold entries kept from before that checkpoint: the clients map has
   * those already (their revision is not above {@link #applied}), so they are not written again.
   */
  private void applyOverlay(long upTo) {
    long since = applied;
    Cursor<String, StoredEntry> changed = overlay.cursor(null);
    while (changed.hasNext()) {
      String id = changed.next();
      StoredEntry entry = changed.getValue();
      if (entry.revision() > since) {
        maps.clients.put(id, entry);
      }
    }
    maps.registry.put(APPLIED_KEY, upTo);
  }

  /**
   * After the checkpoint's sync: the clients map holds everything. The overlay's entries now
   * equal the map's, so readers see the same either way; it is kept as the committer's quick
   * lookup of recently changed clients, unless it has grown past {@link #OVERLAY_KEPT}.
   */
  private void checkpointed(long upTo) {
    if (overlay.sizeAsLong() > OVERLAY_KEPT) {
      overlay.clear();
    }
    applied = upTo;
    lastCheckpointNanos = System.nanoTime();
  }

  /** A checkpoint of its own, when the queue has been quiet for the interval and on close. */
  private void checkpointNow() {
    checkFile();
    if (store == null || failure != null || applied == revision) {
      return;
    }
    try {
      applyOverlay(revision);
      store.commit();
      store.sync();
      checkpointed(revision);
      publish();
    } catch (RuntimeException e) {
      writeFailed(e);
    }
  }

  /** Shows readers the last synced version: the clients map's root and the overlay's, as one. */
  private void publish() {
    committed = new View(store, maps.clients, maps.clients.getRoot(), overlay.getRoot());
  }

  /**
   * A commit or sync failed. The file's last good version is intact, but this process's copy is
   * now ahead of it: drop the copy and refuse every call rather than serve changes that are not
   * on disk, until {@link #tryToReopen} finds the file writable again.
   */
  private RegistryUnavailableException writeFailed(RuntimeException e) {
    RegistryUnavailableException failed =
        new RegistryUnavailableException(name + " failed to write: " + oneLine(e.getMessage()), e);
    failure = failed;
    log.warn("{}; calls fail until it can be written again.", failed.getMessage());
    try {
      store.closeImmediately();
    } catch (RuntimeException alreadyBroken) {
      log.debug("{}: closing after the failed write also failed", name, alreadyBroken);
    }
    store = null;
    maps = null;
    // The overlay may hold the failed batch; the reopened file's history rebuilds what was synced.
    overlay.clear();
    return failed;
  }

  /** A write failed and the store has not been reopened yet (nor the file lost for good). */
  private boolean recovering() {
    return store == null && !gone;
  }

  /**
   * Reopens the file from its last good version and probes it with a real commit and sync; on
   * success the reopened store takes over and calls are served again. On failure (still no room,
   * say) it is closed again and the committer tries later.
   */
  private void tryToReopen() {
    checkFile();
    if (gone) {
      return;
    }
    if (usableSpace() < RECOVERY_HEADROOM_BYTES) {
      return;
    }
    MVStore reopened = null;
    try {
      reopened = builder(file).open();
      Maps reopenedMaps = openMaps(reopened);
      loadState(reopenedMaps);
      replayUnapplied(reopenedMaps);
      // The probe: a write of the same setting MVStore already holds, so it changes nothing but
      // still needs a new chunk on disk and an fsync, as the next batch will.
      reopened.setStoreVersion(reopened.getStoreVersion());
      reopened.commit();
      reopened.sync();
      store = reopened;
      maps = reopenedMaps;
      long fed = history.latestRevision();
      // A batch whose sync failed may still have reached the disk whole: its callers were told
      // it failed, but it is in the file now, so watchers are told of it too, in order.
      Cursor<Long, ClientChange> missed = reopenedMaps.changes.cursor(fed + 1);
      while (missed.hasNext()) {
        missed.next();
        history.append(missed.getValue());
      }
      counts = new ClientCounts(connected, disconnected, revision);
      overlay.clear();
      lastCheckpointNanos = System.nanoTime();
      if (recovered(new View(reopened, reopenedMaps.clients, reopenedMaps.clients.getRoot(), overlay.getRoot()))) {
        log.info("{} can be written again: serving calls.", name);
      }
    } catch (RuntimeException e) {
      log.debug("{} cannot be reopened yet: {}", name, oneLine(e.getMessage()));
      if (store == reopened) {
        // Failed after the swap (reading the state back): still recovering, try again later.
        store = null;
        maps = null;
      }
      if (reopened != null) {
        try {
          reopened.closeImmediately();
        } catch (RuntimeException ignored) {
          // it was not usable anyway
        }
      }
    }
  }

  private long usableSpace() {
    try {
      return Files.getFileStore(file).getUsableSpace();
    } catch (IOException | RuntimeException e) {
      return Long.MAX_VALUE; // cannot tell: let the probe write decide
    }
  }

  /** Swaps in a reopened store, unless the file was found gone meanwhile. */
  private synchronized boolean recovered(View view) {
    if (gone) {
      return false;
    }
    committed = view;
    failure = null;
    return true;
  }

  /** How the file is opened, first and on recovery alike. */
  private static MVStore.Builder builder(Path path) {
    return new MVStore.Builder()
        .fileName(path.toString())
        .autoCommitDisabled()
        .pageSplitSize(PAGE_SPLIT_BYTES);
  }

  private static Maps openMaps(MVStore store) {
    store.setRetentionTime(0);
    store.setVersionsToKeep(VERSIONS_TO_KEEP);
    return new Maps(
        store.openMap(
            CLIENTS,
            new MVMap.Builder<String, StoredEntry>()
                .keyType(StringDataType.INSTANCE)
                .valueType(StoredEntry.Type.INSTANCE)),
        store.openMap(
            CHANGES,
            new MVMap.Builder<Long, ClientChange>()
                .keyType(LongDataType.INSTANCE)
                .valueType(StoredChangeType.INSTANCE)),
        store.openMap(
            REGISTRY,
            new MVMap.Builder<String, Long>()
                .keyType(StringDataType.INSTANCE)
                .valueType(LongDataType.INSTANCE)));
  }

  /** Refuses a file written by a later version, whose layout this code cannot know. */
  private static void checkFormat(Path file, Maps maps) {
    Long format = maps.registry.get(FORMAT_KEY);
    if (format != null && format > FORMAT) {
      throw new StoreOpenException(
          file,
          "it was written by a newer version of the server (file format " + format
              + ", this version reads up to " + FORMAT + ")");
    }
  }

  /**
   * Brings a file of the first format (statuses only) to this one, in the commit that follows:
   * every client gets a revision, 1 to n in client-ID order, and the upgrade's time as its {@code
   * since}; the kept history starts empty after revision n, and the old map is removed. Until that
   * one commit the file on disk is still the old one, so a crash meanwhile upgrades it next time.
   */
  private static void upgrade(Path file, MVStore store, Maps maps, long nowMillis) {
    MVMap<String, String> old =
        store.openMap(
            OLD_STATUSES,
            new MVMap.Builder<String, String>()
                .keyType(StringDataType.INSTANCE)
                .valueType(StringDataType.INSTANCE));
    long revision = 0;
    long connected = 0;
    Cursor<String, String> cursor = old.cursor(null);
    while (cursor.hasNext()) {
      String id = cursor.next();
      ConnectionStatus status = ConnectionStatus.fromLabel(cursor.getValue());
      revision++;
      connected += countsAsConnected(status);
      maps.clients.put(id, new StoredEntry(status, revision, nowMillis));
    }
    maps.registry.put(FORMAT_KEY, FORMAT);
    maps.writeState(revision, connected, revision - connected);
    store.removeMap(old);
    log.info(
        "Store file {}: upgraded from the format without revisions; its {} clients got revisions 1 to {}.",
        file, revision, revision);
  }

  /** Reads the committer's state from the maps just opened. */
  private void loadState(Maps opened) {
    revision = opened.registry.getOrDefault(REVISION_KEY, 0L);
    connected = opened.registry.getOrDefault(CONNECTED_KEY, 0L);
    disconnected = opened.registry.getOrDefault(DISCONNECTED_KEY, 0L);
    // A file of format 2 has no checkpoints: its clients map holds every change.
    applied = opened.registry.getOrDefault(APPLIED_KEY, revision);
    Long oldest = opened.changes.firstKey();
    compacted = oldest == null ? revision : oldest - 1;
  }

  /**
   * Folds the changes made after the last checkpoint (a {@code kill -9} came before the next one)
   * from the kept history into the clients map, and marks the file as of this format, in the
   * commit that follows. The history always still holds them: a batch that would drop one is
   * itself a checkpoint.
   *
   * @return how many changes were replayed
   */
  private int replayUnapplied(Maps opened) {
    int replayed = 0;
    if (applied < revision) {
      Long oldest = opened.changes.firstKey();
      if (oldest == null || oldest > applied + 1) {
        throw new IllegalStateException(
            "its history lacks changes after revision " + applied + " that its clients map does not hold");
      }
      Cursor<Long, ClientChange> missed = opened.changes.cursor(applied + 1);
      while (missed.hasNext()) {
        missed.next();
        ClientChange change = missed.getValue();
        opened.clients.put(change.clientId().value(), StoredEntry.of(change));
        replayed++;
      }
    }
    if (opened.registry.getOrDefault(FORMAT_KEY, 0L) != FORMAT) {
      opened.registry.put(FORMAT_KEY, FORMAT);
    }
    if (opened.registry.getOrDefault(APPLIED_KEY, -1L) != revision) {
      opened.registry.put(APPLIED_KEY, revision);
    }
    applied = revision;
    return replayed;
  }

  /** Drops the kept changes after revision {@code from} up to {@code to}, in the commit under way. */
  private void dropHistory(long from, long to) {
    for (long dropped = from + 1; dropped <= to; dropped++) {
      maps.changes.remove(dropped);
    }
  }

  private static int countsAsConnected(ConnectionStatus status) {
    return status == ConnectionStatus.CONNECTED ? 1 : 0;
  }

  /** Rewrites sparse chunks; the data stays the same, so readers are unaffected. */
  private void compact() {
    if (store == null) {
      return; // the batch before failed and dropped the store: nothing to compact until it is back
    }
    try {
      if (store.compact(COMPACT_TARGET_FILL_RATE, COMPACT_WRITE_BYTES)) {
        store.commit();
        store.sync();
        publish();
      }
    } catch (RuntimeException e) {
      writeFailed(e);
    }
  }

  /**
   * Runs a read on the last synced snapshot. The version is registered as in use meanwhile, so
   * the committer does not reuse the chunks it lives in however long the read takes.
   */
  private <T> CompletionStage<T> read(Function<View, T> reading) {
    RegistryUnavailableException refusal = refusal();
    if (refusal != null) {
      return CompletableFuture.failedStage(refusal);
    }
    try {
      return CompletableFuture.supplyAsync(() -> readNow(reading), readers);
    } catch (RejectedExecutionException closedMeanwhile) {
      return CompletableFuture.failedStage(new RegistryUnavailableException(name + " is closed"));
    }
  }

  /**
   * Runs a read on the last synced snapshot. The version is registered as in use meanwhile, so
   * the committer does not reuse the chunks it lives in however long the read takes.
   */
  private <T> T readNow(Function<View, T> reading) {
    RegistryUnavailableException refusal = refusal();
    if (refusal != null) {
      throw refusal;
    }
    View view = committed;
    TxCounter usage = null;
    try {
      usage = view.store.registerVersionUsage();
      return reading.apply(view);
    } catch (MVStoreException | IllegalStateException e) {
      // Also what a read gets whose store was dropped under it after a failed write.
      throw new RegistryUnavailableException(
          name + " failed to read: " + oneLine(e.getMessage()), e);
    } finally {
      if (usage != null) {
        view.store.deregisterVersionUsage(usage);
      }
    }
  }

  /** Why a call cannot be served now (closed, failed, file gone), or null if it can. */
  private RegistryUnavailableException refusal() {
    if (closed) {
      return new RegistryUnavailableException(name + " is closed");
    }
    checkFile();
    return failure;
  }

  /** Fails the store for good once its path no longer names the file it opened. */
  private void checkFile() {
    if (!gone && !fileKey.equals(currentFileKey(file))) {
      markGone();
    }
  }

  private synchronized void markGone() {
    gone = true;
    failure =
        new RegistryUnavailableException(
            name + " is gone: it was deleted or replaced while the server was using it");
  }

  /** The file's identity, or a fresh object (equal to nothing) when it cannot be read. */
  private static Object currentFileKey(Path file) {
    try {
      Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
      return key != null ? key : file;
    } catch (IOException e) {
      return new Object();
    }
  }

  private static void checkPath(Path path) {
    Path parent = path.getParent();
    if (Files.isDirectory(path)) {
      throw new StoreOpenException(path, "it is a directory, not a file");
    }
    if (parent == null || !Files.exists(parent)) {
      throw new StoreOpenException(path, "directory " + parent + " does not exist");
    }
    if (!Files.isDirectory(parent)) {
      throw new StoreOpenException(path, parent + " is not a directory");
    }
    if (Files.exists(path)) {
      if (!Files.isRegularFile(path)) {
        throw new StoreOpenException(path, "it is not a regular file");
      }
      if (!Files.isReadable(path) || !Files.isWritable(path)) {
        throw new StoreOpenException(path, "the file is not readable and writable by this user");
      }
    } else if (!Files.isWritable(parent)) {
      throw new StoreOpenException(path, "directory " + parent + " is not writable");
    }
  }

  private static String describe(MVStoreException e) {
    switch (e.getErrorCode()) {
      case DataUtils.ERROR_FILE_LOCKED:
        return "it is in use by another process (or another registry in this one)";
      case DataUtils.ERROR_FILE_CORRUPT:
      case DataUtils.ERROR_UNSUPPORTED_FORMAT:
      case DataUtils.ERROR_READING_FAILED:
      case DataUtils.ERROR_CHUNK_NOT_FOUND:
      case DataUtils.ERROR_BLOCK_NOT_FOUND:
        // MVStore's own words here name its internal objects, which tell a user nothing.
        return "it is not a valid store file (corrupt, or not written by this program)";
      default:
        return "cannot be opened: " + oneLine(e.getMessage());
    }
  }

  /** MVStore messages end with a version tag such as {@code [2.3.232/6]}; users need neither. */
  private static String oneLine(String message) {
    if (message == null) {
      return "unknown error";
    }
    String line = message.strip().replaceAll("\\s+", " ");
    return line.replaceFirst("\\s*\\[[0-9.]+/-?[0-9]+]$", "");
  }

  /** Makes a new file's directory entry durable too, not only its contents. */
  private static void syncDirectory(Path directory) {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // Some platforms cannot open a directory; the file's contents are synced regardless.
    }
  }

  private static ThreadFactory daemon(String name) {
    return task -> {
      Thread thread = new Thread(task, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  private static void awaitUninterruptibly(ExecutorService executor) {
    boolean interrupted = false;
    while (true) {
      try {
        if (executor.awaitTermination(1, TimeUnit.MINUTES)) {
          break;
        }
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static void joinUninterruptibly(Thread thread) {
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * A synced version: the clients map's root, the store and map it belongs to (swapped as one when
   * the store is reopened), and the overlay's root of the entries changed since the checkpoint.
   */
  private static final class View {
    final MVStore store;
    final MVMap<String, StoredEntry> clients;
    final RootReference<String, StoredEntry> root;
    final RootReference<String, StoredEntry> pending;

    View(
        MVStore store,
        MVMap<String, StoredEntry> clients,
        RootReference<String, StoredEntry> root,
        RootReference<String, StoredEntry> pending) {
      this.store = store;
      this.clients = clients;
      this.root = root;
      this.pending = pending;
    }
  }

  /** The three maps of one open store. */
  private static final class Maps {
    final MVMap<String, StoredEntry> clients;
    final MVMap<Long, ClientChange> changes;
    final MVMap<String, Long> registry;

    Maps(MVMap<String, StoredEntry> clients, MVMap<Long, ClientChange> changes, MVMap<String, Long> registry) {
      this.clients = clients;
      this.changes = changes;
      this.registry = registry;
    }

    /** The registry's revision and counts, into the commit under way. */
    void writeState(long revision, long connected, long disconnected) {
      registry.put(REVISION_KEY, revision);
      registry.put(CONNECTED_KEY, connected);
      registry.put(DISCONNECTED_KEY, disconnected);
    }
  }

  private static final class PendingWrite {
    static final PendingWrite STOP =
        new PendingWrite(ClientId.of("stop"), ConnectionStatus.DISCONNECTED, ChangeReason.GOODBYE);

    final ClientId clientId;
    final ConnectionStatus status;
    final ChangeReason reason;
    final CompletableFuture<ClientConnection> done = new CompletableFuture<>();

    PendingWrite(ClientId clientId, ConnectionStatus status, ChangeReason reason) {
      this.clientId = clientId;
      this.status = status;
      this.reason = reason;
    }
  }
}

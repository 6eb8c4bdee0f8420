package org.connectionregistry.adapter.store.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
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
import org.connectionregistry.domain.ClientConnection;
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
 * committer also does the housekeeping the background thread would have done: now and then it
 * rewrites sparse chunks, so the file does not grow without bound under overwrites. Because every
 * commit is synced, dead chunks may be reused as soon as no kept version needs them (MVStore's
 * time-based retention exists for stores that do not sync; we keep the last few versions instead).
 *
 * <p><b>Reads</b> run on a small pool of reader threads, since a cold page may come from disk, and
 * see only synced data: the committer publishes the map's root after each sync,
 * and readers walk that immutable copy-on-write snapshot. A reader therefore never sees a change
 * that a crash could still take back, and a page of a listing is one consistent version.
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
 * <p>Keys are the client IDs as strings, compared like {@link String#compareTo}, so the sorted map
 * gives client-ID order and keyset paging directly; values are the status labels.
 */
public final class FileConnectionRegistry implements ConnectionRegistry {

  private static final String MAP_NAME = "statuses";
  /** Bounds one batch, so a sync is never held back by an endless stream of writers. */
  private static final int MAX_BATCH = 4096;
  /** Versions kept readable after they are superseded; protects readers of a recent snapshot. */
  private static final int VERSIONS_TO_KEEP = 5;
  /** Housekeeping runs after this many batches: rewrite chunks less than half full. */
  private static final int BATCHES_PER_COMPACTION = 64;
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
  /** The open store and its map; only the committer uses them (and close, after the committer). */
  private MVStore store;
  private MVMap<String, String> statuses;
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

  private FileConnectionRegistry(Path file, MVStore store) {
    this.file = file;
    this.name = "Store file " + file;
    this.fileKey = currentFileKey(file);
    this.store = store;
    this.statuses = openStatuses(store);
    store.commit();
    store.sync();
    this.committed = new View(store, statuses, statuses.getRoot());
    this.completer = Executors.newSingleThreadExecutor(daemon("file-registry-completer " + file.getFileName()));
    this.readers = Executors.newFixedThreadPool(READERS, daemon("file-registry-reader " + file.getFileName()));
    this.committer = daemon("file-registry-committer " + file.getFileName()).newThread(this::commitLoop);
    committer.start();
  }

  /**
   * Opens the store in {@code file}, creating it (but not its directory) if it does not exist.
   *
   * @throws StoreOpenException with a one-line message naming the file and the problem: the
   *     directory is missing or not writable, the path is a directory, the file is not a store
   *     of ours or is corrupt, or another process has it open
   */
  public static FileConnectionRegistry open(Path file) {
    Objects.requireNonNull(file, "file");
    Path path = file.toAbsolutePath().normalize();
    checkPath(path);
    boolean isNew = !Files.exists(path);
    MVStore store;
    try {
      store = new MVStore.Builder().fileName(path.toString()).autoCommitDisabled().open();
    } catch (MVStoreException e) {
      throw new StoreOpenException(path, describe(e), e);
    } catch (RuntimeException e) {
      throw new StoreOpenException(path, "cannot be opened: " + oneLine(e.getMessage()), e);
    }
    try {
      Set<String> foreignMaps = new java.util.TreeSet<>(store.getMapNames());
      foreignMaps.remove(MAP_NAME);
      if (!foreignMaps.isEmpty()) {
        throw new StoreOpenException(
            path, "is an MVStore file of another program (it holds " + foreignMaps + ")");
      }
      FileConnectionRegistry registry = new FileConnectionRegistry(path, store);
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

  // Issue 10, in progress on this branch: revisions, counts and the change feed are not kept by
  // this store yet; until they are, changes carry no revision and counts walk the registry.
  private final org.connectionregistry.domain.ChangeHistory pendingHistory =
      new org.connectionregistry.domain.ChangeHistory(1);

  @Override
  public CompletionStage<ClientConnection> record(
      ClientId clientId, ConnectionStatus status, org.connectionregistry.domain.ChangeReason reason) {
    return recordStatus(clientId, status).thenApply(done -> new ClientConnection(clientId, status));
  }

  @Override
  public CompletionStage<org.connectionregistry.domain.ClientCounts> counts() {
    return listAll()
        .thenApply(
            all -> {
              long connected =
                  all.stream().filter(c -> c.status() == ConnectionStatus.CONNECTED).count();
              return new org.connectionregistry.domain.ClientCounts(
                  connected, all.size() - connected, 0);
            });
  }

  @Override
  public org.connectionregistry.domain.ChangeFeed changes() {
    return pendingHistory;
  }

  private CompletionStage<Void> recordStatus(ClientId clientId, ConnectionStatus status) {
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(status, "status");
    PendingWrite write = new PendingWrite(clientId.value(), status.label());
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
      String label = view.statuses.get(view.root.root, clientId.value());
      return Optional.ofNullable(label).map(ConnectionStatus::fromLabel);
    });
  }

  @Override
  public CompletionStage<List<ClientConnection>> list(Optional<ClientId> after, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive, got " + limit);
    }
    return read(view -> {
      RootReference<String, String> snapshot = view.root;
      String from = after.map(id -> view.statuses.higherKey(snapshot, id.value())).orElse(null);
      List<ClientConnection> page = new ArrayList<>(Math.min(limit, 1024));
      if (after.isPresent() && from == null) {
        return page;
      }
      Cursor<String, String> cursor = new Cursor<>(snapshot, from, null);
      while (page.size() < limit && cursor.hasNext()) {
        String id = cursor.next();
        page.add(new ClientConnection(new ClientId(id), ConnectionStatus.fromLabel(cursor.getValue())));
      }
      return page;
    });
  }

  /** How many writes were synced to disk since the file was opened. */
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
    completer.shutdown();
    awaitUninterruptibly(completer);
    long synced = syncs;
    log.info(
        "{} closed: {} writes in {} syncs ({} writes per sync).",
        name, writes, synced, synced == 0 ? "0" : String.format(java.util.Locale.ROOT, "%.1f", (double) writes / synced));
  }

  private void commitLoop() {
    List<PendingWrite> batch = new ArrayList<>();
    int batchesSinceCompaction = 0;
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
        if (++batchesSinceCompaction >= BATCHES_PER_COMPACTION) {
          batchesSinceCompaction = 0;
          compact();
        }
      }
      if (stop) {
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
      for (PendingWrite write : batch) {
        statuses.put(write.clientId, write.label);
      }
      store.commit();
      store.sync();
      committed = new View(store, statuses, statuses.getRoot());
      writes += batch.size();
      syncs++;
      List<PendingWrite> synced = List.copyOf(batch);
      completer.execute(() -> synced.forEach(write -> write.done.complete(null)));
    } catch (RuntimeException e) {
      RegistryUnavailableException failed = writeFailed(e);
      batch.forEach(write -> write.done.completeExceptionally(failed));
    }
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
    statuses = null;
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
      reopened = new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().open();
      MVMap<String, String> map = openStatuses(reopened);
      // The probe: a write of the same setting MVStore already holds, so it changes nothing but
      // still needs a new chunk on disk and an fsync, as the next batch will.
      reopened.setStoreVersion(reopened.getStoreVersion());
      reopened.commit();
      reopened.sync();
      store = reopened;
      statuses = map;
      if (recovered(new View(reopened, map, map.getRoot()))) {
        log.info("{} can be written again: serving calls.", name);
      }
    } catch (RuntimeException e) {
      log.debug("{} cannot be reopened yet: {}", name, oneLine(e.getMessage()));
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

  private static MVMap<String, String> openStatuses(MVStore store) {
    store.setRetentionTime(0);
    store.setVersionsToKeep(VERSIONS_TO_KEEP);
    return store.openMap(
        MAP_NAME,
        new MVMap.Builder<String, String>()
            .keyType(StringDataType.INSTANCE)
            .valueType(StringDataType.INSTANCE));
  }

  /** Rewrites sparse chunks; the data stays the same, so readers are unaffected. */
  private void compact() {
    try {
      if (store.compact(COMPACT_TARGET_FILL_RATE, COMPACT_WRITE_BYTES)) {
        store.commit();
        store.sync();
        committed = new View(store, statuses, statuses.getRoot());
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

  /** A synced root and the store and map it belongs to, swapped as one when the store is reopened. */
  private static final class View {
    final MVStore store;
    final MVMap<String, String> statuses;
    final RootReference<String, String> root;

    View(MVStore store, MVMap<String, String> statuses, RootReference<String, String> root) {
      this.store = store;
      this.statuses = statuses;
      this.root = root;
    }
  }

  private static final class PendingWrite {
    static final PendingWrite STOP = new PendingWrite("", "");

    final String clientId;
    final String label;
    final CompletableFuture<Void> done = new CompletableFuture<>();

    PendingWrite(String clientId, String label) {
      this.clientId = clientId;
      this.label = label;
    }
  }
}

package org.connectionregistry.domain;

import java.time.Clock;
import java.lang.invoke.VarHandle;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Keeps every status in this process's memory, as the original system did: fast, shared by all
 * threads, and gone when the process ends.
 *
 * <p>A skip list keeps clients sorted, so listing them in order costs no sort and a page can start
 * anywhere. Keys are the plain strings, not {@link ClientId}s, which saves an object per client.
 * Reads take no lock. Changes take one short lock, so that revisions, counts and the {@link
 * ChangeHistory} follow one order; a call that changes nothing (a repeated Hello) takes none.
 *
 * <p>Every call is done before it returns, and its stage is already complete (a {@link
 * CompletableFuture}, so that a caller can see that and take the value at once). The stages of
 * {@link #statusOf} are shared constants (a completed {@code CompletionStage} cannot be changed
 * by its holders).
 */
public final class InMemoryConnectionRegistry implements ConnectionRegistry {

  private static final String NAME = "In-memory registry";

  private static final CompletionStage<Optional<ConnectionStatus>> NONE =
      CompletableFuture.completedStage(Optional.empty());
  private static final CompletionStage<Optional<ConnectionStatus>> CONNECTED =
      CompletableFuture.completedStage(Optional.of(ConnectionStatus.CONNECTED));
  private static final CompletionStage<Optional<ConnectionStatus>> DISCONNECTED =
      CompletableFuture.completedStage(Optional.of(ConnectionStatus.DISCONNECTED));

  /**
   * A client's status and the revision and time (epoch milliseconds) of its last change. A change
   * to a known client rewrites its slot in place, under the registry's lock: it looks the client
   * up once and allocates nothing here, where replacing an immutable entry walked the skip list
   * three times (two reads and a write). Readers take no lock: they read the revision before and
   * after the other fields, and try again if it moved (a sequence lock whose counter is the
   * revision itself: revisions never repeat, and 0 marks a slot being written).
   *
   * <p>The slot keeps the client's one {@link ClientId}, whose value is the map's key: changes
   * name the client by it, so the {@link ChangeHistory} holds no ID of a request alive, and a
   * listing does not check each ID again.
   */
  private static final class Slot {
    private static final long WRITING = 0;

    private final ClientId clientId;
    private volatile long revision;
    private ConnectionStatus status;
    private long sinceMillis;

    Slot(ClientId clientId, ConnectionStatus status, long revision, long sinceMillis) {
      this.clientId = clientId;
      this.status = status;
      this.sinceMillis = sinceMillis;
      this.revision = revision;
    }

    /** Under the registry's lock only. */
    void set(ConnectionStatus status, long revision, long sinceMillis) {
      this.revision = WRITING;
      VarHandle.storeStoreFence(); // the fields below are written after the mark
      this.status = status;
      this.sinceMillis = sinceMillis;
      this.revision = revision; // a volatile write: publishes the fields above
    }

    /** Under the registry's lock only, where no write can be half done. */
    ConnectionStatus lockedStatus() {
      return status;
    }

    /** Under the registry's lock only. */
    ClientConnection lockedConnection() {
      return new ClientConnection(clientId, status, revision, Instant.ofEpochMilli(sinceMillis));
    }
  }

  private final ConcurrentNavigableMap<String, Slot> entries = new ConcurrentSkipListMap<>();
  private final ReentrantLock changing = new ReentrantLock();
  private final ChangeHistory history;
  private final Clock clock;
  private volatile boolean closed;

  /** Most clients it holds; {@link Long#MAX_VALUE} for no limit. */
  private final long capacity;

  // Written under the lock; read without it.
  private volatile long revision;
  private volatile long size;
  private volatile long connected;

  /** A registry without a limit on the number of clients. */
  public InMemoryConnectionRegistry() {
    this(Long.MAX_VALUE);
  }

  /**
   * A registry of at most {@code capacity} clients: a new client beyond it is refused with
   * {@link RegistryFullException}, while the clients it holds can still change their status.
   */
  public InMemoryConnectionRegistry(long capacity) {
    this(capacity, ChangeHistory.DEFAULT_CAPACITY, Clock.systemUTC());
  }

  /**
   * A registry of at most {@code capacity} clients that keeps its last {@code historyCapacity}
   * changes for watchers, and dates changes by {@code clock}.
   */
  public InMemoryConnectionRegistry(long capacity, int historyCapacity, Clock clock) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive, got " + capacity);
    }
    this.capacity = capacity;
    this.history = new ChangeHistory(historyCapacity);
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public CompletionStage<ClientConnection> record(
      ClientId clientId, ConnectionStatus status, ChangeReason reason) {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(reason, "reason");
    if (closed) {
      return closedStage();
    }
    String key = clientId.value();
    Slot slot = entries.get(key);
    if (slot != null) {
      ClientConnection unchanged = ifStatus(slot, status);
      if (unchanged != null) {
        return CompletableFuture.completedFuture(unchanged);
      }
    }
    changing.lock();
    try {
      if (closed) {
        return closedStage();
      }
      if (slot == null) {
        slot = entries.get(key); // added meanwhile? Clients are only added under this lock.
      }
      ConnectionStatus previous = slot == null ? null : slot.lockedStatus();
      if (previous == status) {
        return CompletableFuture.completedFuture(slot.lockedConnection());
      }
      if (slot == null && size >= capacity) {
        return CompletableFuture.failedFuture(new RegistryFullException(clientId, capacity));
      }
      long next = revision + 1;
      long now = clock.millis();
      ClientId id = slot == null ? clientId : slot.clientId;
      ClientChange change = new ClientChange(next, id, status, reason, Instant.ofEpochMilli(now));
      if (slot == null) {
        entries.put(key, new Slot(id, status, next, now));
        size = size + 1;
      } else {
        slot.set(status, next, now);
      }
      revision = next;
      connected = connected + countOf(status) - (previous == null ? 0 : countOf(previous));
      history.append(change);
      return CompletableFuture.completedFuture(change.entry());
    } finally {
      changing.unlock();
    }
  }

  /**
   * The slot's client as it is, if its status is {@code status}; null otherwise. Read without the
   * lock; a read that a change overlapped is made again under the lock.
   */
  private ClientConnection ifStatus(Slot slot, ConnectionStatus status) {
    long before = slot.revision;
    ConnectionStatus current = slot.status;
    long sinceMillis = slot.sinceMillis;
    if (!readWhole(slot, before)) {
      return underLock(() -> slot.lockedStatus() == status ? slot.lockedConnection() : null);
    }
    return current == status
        ? new ClientConnection(slot.clientId, current, before, Instant.ofEpochMilli(sinceMillis))
        : null;
  }

  /** The slot's client as it is, read as {@link #ifStatus} does. */
  private ClientConnection connectionOf(Slot slot) {
    long before = slot.revision;
    ConnectionStatus status = slot.status;
    long sinceMillis = slot.sinceMillis;
    if (!readWhole(slot, before)) {
      return underLock(slot::lockedConnection);
    }
    return new ClientConnection(slot.clientId, status, before, Instant.ofEpochMilli(sinceMillis));
  }

  /** The slot's status, read as {@link #ifStatus} does. */
  private ConnectionStatus statusOf(Slot slot) {
    long before = slot.revision;
    ConnectionStatus status = slot.status;
    if (!readWhole(slot, before)) {
      return underLock(slot::lockedStatus);
    }
    return status;
  }

  /**
   * The second half of a lock-free read of {@code slot}, after its revision ({@code before}) and
   * then the fields were read: whether those fields are one whole write, i.e. no write was under
   * way when the read began and none has been made since. If not, read again {@link #underLock}.
   */
  private static boolean readWhole(Slot slot, long before) {
    VarHandle.loadLoadFence(); // the fields are read before the revision is read again
    return before != Slot.WRITING && slot.revision == before;
  }

  /**
   * Reads a slot under the lock, after a lock-free read that a change overlapped: this waits for
   * the change instead of spinning while its writer may not be running.
   */
  private <T> T underLock(Supplier<T> read) {
    changing.lock();
    try {
      return read.get();
    } finally {
      changing.unlock();
    }
  }

  private static int countOf(ConnectionStatus status) {
    return status == ConnectionStatus.CONNECTED ? 1 : 0;
  }

  @Override
  public CompletionStage<Optional<ConnectionStatus>> statusOf(ClientId clientId) {
    if (closed) {
      return closedStage();
    }
    Slot slot = entries.get(clientId.value());
    if (slot == null) {
      return NONE;
    }
    return statusOf(slot) == ConnectionStatus.CONNECTED ? CONNECTED : DISCONNECTED;
  }

  @Override
  public CompletionStage<List<ClientConnection>> list(Optional<ClientId> after, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive, got " + limit);
    }
    if (closed) {
      return closedStage();
    }
    return CompletableFuture.completedStage(page(after, limit));
  }

  @Override
  public CompletionStage<List<ClientConnection>> listAll() {
    if (closed) {
      return closedStage();
    }
    return CompletableFuture.completedStage(page(Optional.empty(), Integer.MAX_VALUE));
  }

  private List<ClientConnection> page(Optional<ClientId> after, int limit) {
    Map<String, Slot> rest =
        after.isPresent() ? entries.tailMap(after.get().value(), false) : entries;
    List<ClientConnection> page = new ArrayList<>(Math.min(limit, 1024));
    for (Slot slot : rest.values()) {
      if (page.size() == limit) {
        break;
      }
      page.add(connectionOf(slot));
    }
    return page;
  }

  @Override
  public CompletionStage<ClientCounts> counts() {
    if (closed) {
      return closedStage();
    }
    changing.lock();
    try {
      return CompletableFuture.completedStage(
          new ClientCounts(connected, size - connected, revision));
    } finally {
      changing.unlock();
    }
  }

  @Override
  public ChangeFeed changes() {
    return history;
  }

  /** How many clients are registered. */
  public int size() {
    return (int) Math.min(Integer.MAX_VALUE, size);
  }

  /** Most clients this registry holds; {@link Long#MAX_VALUE} when there is no limit. */
  public long capacity() {
    return capacity;
  }

  /** True until closed: the memory is this process's own, so it cannot go away otherwise. */
  @Override
  public boolean isAvailable() {
    return !closed;
  }

  /** Forgets every status, as the end of the process would; later calls fail. */
  @Override
  public void close() {
    changing.lock();
    try {
      closed = true;
      entries.clear();
      size = 0;
      connected = 0;
    } finally {
      changing.unlock();
    }
  }

  @Override
  public String toString() {
    return NAME;
  }

  private static <T> CompletionStage<T> closedStage() {
    return CompletableFuture.failedStage(new RegistryUnavailableException(NAME + " is closed"));
  }
}

package org.connectionregistry.domain;

import java.time.Clock;
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

/**
 * Keeps every status in this process's memory, as the original system did: fast, shared by all
 * threads, and gone when the process ends.
 *
 * <p>A skip list keeps clients sorted, so listing them in order costs no sort and a page can start
 * anywhere. Keys are the plain strings, not {@link ClientId}s, which saves an object per client.
 * Reads take no lock. Changes take one short lock, so that revisions, counts and the {@link
 * ChangeHistory} follow one order; a call that changes nothing (a repeated Hello) takes none.
 *
 * <p>Every call is done before it returns, and its stage is already complete. The stages of
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

  /** A client's status and the revision and time (epoch milliseconds) of its last change. */
  private record Entry(ConnectionStatus status, long revision, long sinceMillis) {
    ClientConnection toConnection(String clientId) {
      return new ClientConnection(
          new ClientId(clientId), status, revision, Instant.ofEpochMilli(sinceMillis));
    }
  }

  private final ConcurrentNavigableMap<String, Entry> entries = new ConcurrentSkipListMap<>();
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
    Entry current = entries.get(key);
    if (current != null && current.status == status) {
      return CompletableFuture.completedStage(current.toConnection(key));
    }
    changing.lock();
    try {
      if (closed) {
        return closedStage();
      }
      current = entries.get(key);
      if (current != null && current.status == status) {
        return CompletableFuture.completedStage(current.toConnection(key));
      }
      if (current == null && size >= capacity) {
        return CompletableFuture.failedStage(new RegistryFullException(clientId, capacity));
      }
      ClientChange change =
          new ClientChange(revision + 1, clientId, status, reason, Instant.ofEpochMilli(clock.millis()));
      entries.put(key, new Entry(status, change.revision(), change.at().toEpochMilli()));
      revision = change.revision();
      if (current == null) {
        size = size + 1;
      }
      connected = connected + countOf(status) - (current == null ? 0 : countOf(current.status));
      history.append(change);
      return CompletableFuture.completedStage(change.entry());
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
    Entry entry = entries.get(clientId.value());
    if (entry == null) {
      return NONE;
    }
    return entry.status == ConnectionStatus.CONNECTED ? CONNECTED : DISCONNECTED;
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
    Map<String, Entry> rest =
        after.isPresent() ? entries.tailMap(after.get().value(), false) : entries;
    List<ClientConnection> page = new ArrayList<>(Math.min(limit, 1024));
    for (Map.Entry<String, Entry> entry : rest.entrySet()) {
      if (page.size() == limit) {
        break;
      }
      page.add(entry.getValue().toConnection(entry.getKey()));
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

package org.connectionregistry.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps every status in this process's memory, as the original system did: fast, shared by all
 * threads, and gone when the process ends.
 *
 * <p>A skip list keeps clients sorted, so listing them in order costs no sort and a page can start
 * anywhere. Keys are the plain strings, not {@link ClientId}s, which saves an object per client.
 *
 * <p>Every call is done before it returns, and its stage is already complete. The stages of
 * {@link #record} and {@link #statusOf} are shared constants (a completed {@code CompletionStage}
 * cannot be changed by its holders), so the asynchronous port costs this store no allocation.
 */
public final class InMemoryConnectionRegistry implements ConnectionRegistry {

  private static final String NAME = "In-memory registry";

  private static final CompletionStage<Void> DONE = CompletableFuture.completedStage(null);
  private static final CompletionStage<Optional<ConnectionStatus>> NONE =
      CompletableFuture.completedStage(Optional.empty());
  private static final CompletionStage<Optional<ConnectionStatus>> CONNECTED =
      CompletableFuture.completedStage(Optional.of(ConnectionStatus.CONNECTED));
  private static final CompletionStage<Optional<ConnectionStatus>> DISCONNECTED =
      CompletableFuture.completedStage(Optional.of(ConnectionStatus.DISCONNECTED));

  private final ConcurrentNavigableMap<String, ConnectionStatus> statuses =
      new ConcurrentSkipListMap<>();
  private volatile boolean closed;

  /** Most clients it holds; {@link Long#MAX_VALUE} for no limit. */
  private final long capacity;

  /** Counts clients for the capacity check; the skip list's own size() walks every entry. */
  private final AtomicLong size = new AtomicLong();

  /** A registry without a limit on the number of clients. */
  public InMemoryConnectionRegistry() {
    this(Long.MAX_VALUE);
  }

  /**
   * A registry of at most {@code capacity} clients: a new client beyond it is refused with
   * {@link RegistryFullException}, while the clients it holds can still change their status.
   */
  public InMemoryConnectionRegistry(long capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive, got " + capacity);
    }
    this.capacity = capacity;
  }

  @Override
  public CompletionStage<Void> record(ClientId clientId, ConnectionStatus status) {
    if (closed) {
      return closedStage();
    }
    String key = clientId.value();
    if (capacity == Long.MAX_VALUE) {
      if (statuses.put(key, status) == null) {
        size.incrementAndGet();
      }
      return DONE;
    }
    // A known client only changes its status; a new one takes a place first, so that two new
    // clients racing for the last place cannot both get it.
    if (statuses.replace(key, status) != null) {
      return DONE;
    }
    if (size.incrementAndGet() > capacity) {
      size.decrementAndGet();
      if (statuses.replace(key, status) != null) {
        return DONE; // it was added meanwhile by another call
      }
      return CompletableFuture.failedStage(new RegistryFullException(clientId, capacity));
    }
    if (statuses.putIfAbsent(key, status) != null) {
      size.decrementAndGet();
      statuses.put(key, status);
    }
    return DONE;
  }

  @Override
  public CompletionStage<Optional<ConnectionStatus>> statusOf(ClientId clientId) {
    if (closed) {
      return closedStage();
    }
    ConnectionStatus status = statuses.get(clientId.value());
    if (status == null) {
      return NONE;
    }
    return status == ConnectionStatus.CONNECTED ? CONNECTED : DISCONNECTED;
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
    Map<String, ConnectionStatus> rest =
        after.isPresent() ? statuses.tailMap(after.get().value(), false) : statuses;
    List<ClientConnection> page = new ArrayList<>(Math.min(limit, 1024));
    for (Map.Entry<String, ConnectionStatus> entry : rest.entrySet()) {
      if (page.size() == limit) {
        break;
      }
      page.add(new ClientConnection(new ClientId(entry.getKey()), entry.getValue()));
    }
    return page;
  }

  /** How many clients are registered. */
  public int size() {
    return (int) Math.min(Integer.MAX_VALUE, size.get());
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
    closed = true;
    statuses.clear();
    size.set(0);
  }

  @Override
  public String toString() {
    return NAME;
  }

  private static <T> CompletionStage<T> closedStage() {
    return CompletableFuture.failedStage(new RegistryUnavailableException(NAME + " is closed"));
  }
}

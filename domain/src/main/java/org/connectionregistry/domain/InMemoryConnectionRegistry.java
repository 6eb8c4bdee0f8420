package org.connectionregistry.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

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

  @Override
  public CompletionStage<Void> record(ClientId clientId, ConnectionStatus status) {
    if (closed) {
      return closedStage();
    }
    statuses.put(clientId.value(), status);
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
    return statuses.size();
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
  }

  @Override
  public String toString() {
    return NAME;
  }

  private static <T> CompletionStage<T> closedStage() {
    return CompletableFuture.failedStage(new RegistryUnavailableException(NAME + " is closed"));
  }
}

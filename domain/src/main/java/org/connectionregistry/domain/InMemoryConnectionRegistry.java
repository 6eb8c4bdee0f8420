package org.connectionregistry.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Keeps every status in this process's memory, as the original system did: fast, shared by all
 * threads, and gone when the process ends.
 *
 * <p>A skip list keeps clients sorted, so listing them in order costs no sort and a page can start
 * anywhere. Keys are the plain strings, not {@link ClientId}s, which saves an object per client.
 */
public final class InMemoryConnectionRegistry implements ConnectionRegistry {

  private static final String NAME = "In-memory registry";

  private final ConcurrentNavigableMap<String, ConnectionStatus> statuses =
      new ConcurrentSkipListMap<>();
  private volatile boolean closed;

  @Override
  public void record(ClientId clientId, ConnectionStatus status) {
    checkOpen();
    statuses.put(clientId.value(), status);
  }

  @Override
  public Optional<ConnectionStatus> statusOf(ClientId clientId) {
    checkOpen();
    return Optional.ofNullable(statuses.get(clientId.value()));
  }

  @Override
  public List<ClientConnection> list(Optional<ClientId> after, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive, got " + limit);
    }
    checkOpen();
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

  @Override
  public List<ClientConnection> listAll() {
    return list(Optional.empty(), Integer.MAX_VALUE);
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

  private void checkOpen() {
    if (closed) {
      throw new RegistryUnavailableException(NAME + " is closed");
    }
  }
}

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

  private final ConcurrentNavigableMap<String, ConnectionStatus> statuses =
      new ConcurrentSkipListMap<>();

  @Override
  public void record(ClientId clientId, ConnectionStatus status) {
    statuses.put(clientId.value(), status);
  }

  @Override
  public Optional<ConnectionStatus> statusOf(ClientId clientId) {
    return Optional.ofNullable(statuses.get(clientId.value()));
  }

  @Override
  public List<ClientConnection> list(Optional<ClientId> after, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive, got " + limit);
    }
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
}

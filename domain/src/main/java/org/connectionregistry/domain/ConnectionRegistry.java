package org.connectionregistry.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where the registry keeps each client's status: the port through which the domain reaches its
 * storage. {@link InMemoryConnectionRegistry} is the default; storage adapters provide others.
 *
 * <p>Every implementation is safe to call from many threads at once, and every change is atomic:
 * a reader sees a client's old status or its new one, never anything else. Implementations that
 * talk to something remote throw {@link RegistryUnavailableException} when it cannot be reached.
 */
public interface ConnectionRegistry extends AutoCloseable {

  /** Sets a client's status, adding the client if it is new. Done when this returns. */
  void record(ClientId clientId, ConnectionStatus status);

  /** A client's current status, or empty if it never sent a message. */
  Optional<ConnectionStatus> statusOf(ClientId clientId);

  /**
   * Up to {@code limit} clients in client-ID order, starting after {@code after} (exclusive), or
   * from the first client when {@code after} is empty. An empty list means there are no more.
   */
  List<ClientConnection> list(Optional<ClientId> after, int limit);

  /** Every client in client-ID order, read a page at a time. */
  default List<ClientConnection> listAll() {
    final int pageSize = 10_000;
    List<ClientConnection> all = new ArrayList<>();
    Optional<ClientId> after = Optional.empty();
    while (true) {
      List<ClientConnection> page = list(after, pageSize);
      all.addAll(page);
      if (page.size() < pageSize) {
        return all;
      }
      after = Optional.of(page.get(page.size() - 1).clientId());
    }
  }

  /** Whether the storage behind this registry can be reached right now. */
  default boolean isAvailable() {
    return true;
  }

  /** Releases what the registry holds (files, connections). Nothing is lost. */
  @Override
  default void close() {}
}

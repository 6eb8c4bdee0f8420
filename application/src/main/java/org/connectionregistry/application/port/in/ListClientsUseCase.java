package org.connectionregistry.application.port.in;

import java.util.List;
import java.util.Optional;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientId;

/** Anyone asks for the status of every registered client. */
public interface ListClientsUseCase {

  /**
   * Every registered client, sorted by client ID.
   *
   * @throws org.connectionregistry.domain.RegistryUnavailableException if the registry cannot be
   *     reached
   */
  List<ClientConnection> listClients();

  /**
   * One page of the same list: up to {@code limit} clients in client-ID order, starting after
   * {@code after} (exclusive), or from the first client when it is empty. An empty page means
   * there are no more. Pages read one after another never repeat or skip a client that stays
   * registered meanwhile.
   *
   * <p>This default reads the whole list for every page; implementations that can start a page
   * anywhere override it. (Its own name, not a {@code listClients} overload, keeps method
   * references such as {@code useCase::listClients} unambiguous.)
   *
   * @throws IllegalArgumentException if {@code limit} is not positive
   * @throws org.connectionregistry.domain.RegistryUnavailableException if the registry cannot be
   *     reached
   */
  default List<ClientConnection> listClientsPage(Optional<ClientId> after, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive, got " + limit);
    }
    return listClients().stream()
        .filter(client -> after.isEmpty() || client.clientId().compareTo(after.get()) > 0)
        .limit(limit)
        .toList();
  }
}

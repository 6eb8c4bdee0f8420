package org.connectionregistry.application.port.in;

import java.util.List;
import org.connectionregistry.domain.ClientConnection;

/** Anyone asks for the status of every registered client. */
public interface ListClientsUseCase {

  /**
   * Every registered client, sorted by client ID.
   *
   * @throws org.connectionregistry.domain.RegistryUnavailableException if the registry cannot be
   *     reached
   */
  List<ClientConnection> listClients();
}

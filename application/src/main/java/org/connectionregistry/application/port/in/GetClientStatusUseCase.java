package org.connectionregistry.application.port.in;

import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientId;

/** Anyone asks whether one client is connected. */
public interface GetClientStatusUseCase {

  /**
   * @throws org.connectionregistry.domain.ClientNotFoundException if the client never sent a
   *     message
   * @throws org.connectionregistry.domain.RegistryUnavailableException if the registry cannot be
   *     reached
   */
  ClientConnection getClientStatus(ClientId clientId);
}

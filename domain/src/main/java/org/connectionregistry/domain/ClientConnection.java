package org.connectionregistry.domain;

import java.util.Objects;

/** One entry of the registry: a client and its current status. */
public record ClientConnection(ClientId clientId, ConnectionStatus status) {

  public ClientConnection {
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(status, "status");
  }
}

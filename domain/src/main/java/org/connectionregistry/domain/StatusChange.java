package org.connectionregistry.domain;

import java.util.Objects;

/** A client's status after one of its messages was recorded. */
public record StatusChange(ClientId clientId, ConnectionStatus status) {

  public StatusChange {
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(status, "status");
  }

  /** What the sender is told, e.g. {@code Client user_1 marked as connected.} */
  public String description() {
    return "Client " + clientId.value() + " marked as " + status.label() + ".";
  }
}

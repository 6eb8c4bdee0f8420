package org.connectionregistry.domain;

import java.time.Instant;
import java.util.Objects;

/**
 * One change to the registry: a client took a new status, at a revision and a time, for a reason.
 * Revisions increase across the whole registry, so changes are totally ordered by them.
 */
public record ClientChange(
    long revision, ClientId clientId, ConnectionStatus status, ChangeReason reason, Instant at) {

  public ClientChange {
    if (revision < 1) {
      throw new IllegalArgumentException("revision must be positive, got " + revision);
    }
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(at, "at");
  }

  /** The client's entry right after this change. */
  public ClientConnection entry() {
    return new ClientConnection(clientId, status, revision, at);
  }
}

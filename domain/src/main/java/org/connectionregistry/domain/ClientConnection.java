package org.connectionregistry.domain;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One entry of the registry: a client, its current status, and the revision and time of the
 * change that gave it that status ("connected since 10:42").
 *
 * <p>A peer that keeps no revisions (the original system's server) gives only the first two:
 * such an entry has revision {@link #NO_REVISION} and no {@code since}.
 */
public record ClientConnection(
    ClientId clientId, ConnectionStatus status, long revision, Instant since) {

  /** The revision of an entry whose source keeps none. */
  public static final long NO_REVISION = 0;

  public ClientConnection {
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(status, "status");
    if (revision < 0) {
      throw new IllegalArgumentException("revision cannot be negative, got " + revision);
    }
    if ((revision == NO_REVISION) != (since == null)) {
      throw new IllegalArgumentException("revision and since come together, or neither does");
    }
  }

  /** An entry from a source that keeps no revisions. */
  public ClientConnection(ClientId clientId, ConnectionStatus status) {
    this(clientId, status, NO_REVISION, null);
  }

  /** When the client took its current status, if its source says. */
  public Optional<Instant> sinceIfKnown() {
    return Optional.ofNullable(since);
  }

  /** The same client and status without revision and time: what the original system knew. */
  public ClientConnection withoutRevision() {
    return revision == NO_REVISION ? this : new ClientConnection(clientId, status);
  }
}

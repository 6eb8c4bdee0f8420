package org.connectionregistry.adapter.grpc.security;

import io.grpc.Status;
import java.util.Objects;

/**
 * A request that came off the wire but is not a message, and the status that says why. Parsing
 * returns it instead of throwing, because an exception thrown while gRPC parses a request reaches
 * the caller as a bare {@code UNKNOWN} and writes a stack trace to the log. A request that parses
 * is handed on as its message, so a good call allocates nothing for this.
 */
record RejectedRequest(Status status) {

  RejectedRequest {
    Objects.requireNonNull(status, "status");
  }
}

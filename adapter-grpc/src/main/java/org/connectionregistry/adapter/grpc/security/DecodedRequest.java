package org.connectionregistry.adapter.grpc.security;

import io.grpc.Status;
import java.util.Objects;

/**
 * A request as it came off the wire: the parsed message, or why it could not be one. Parsing
 * never throws, because an exception thrown while gRPC parses a request reaches the caller as a
 * bare {@code UNKNOWN} and writes a stack trace to the log.
 */
final class DecodedRequest<T> {

  private final T message;
  private final Status rejection;

  private DecodedRequest(T message, Status rejection) {
    this.message = message;
    this.rejection = rejection;
  }

  static <T> DecodedRequest<T> of(T message) {
    return new DecodedRequest<>(Objects.requireNonNull(message, "message"), null);
  }

  static <T> DecodedRequest<T> rejected(Status rejection) {
    return new DecodedRequest<>(null, Objects.requireNonNull(rejection, "rejection"));
  }

  boolean isRejected() {
    return rejection != null;
  }

  T message() {
    return message;
  }

  Status rejection() {
    return rejection;
  }
}

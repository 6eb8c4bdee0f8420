package org.connectionregistry.application.archfixture;

import io.grpc.Status;

/** Breaks two rules on purpose: the application speaking a transport (gRPC) directly. */
public final class ServiceThatAnswersInGrpc {
  RuntimeException notFound() {
    return Status.NOT_FOUND.asRuntimeException();
  }
}

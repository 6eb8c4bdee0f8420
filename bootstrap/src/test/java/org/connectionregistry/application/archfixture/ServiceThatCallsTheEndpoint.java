package org.connectionregistry.application.archfixture;

import org.connectionregistry.adapter.grpc.server.ClientServiceEndpoint;

/** Breaks the onion on purpose: a use case that depends on an adapter. */
public final class ServiceThatCallsTheEndpoint {
  ClientServiceEndpoint endpoint;
}

package org.connectionregistry.adapter.metrics.archfixture;

import org.connectionregistry.adapter.grpc.server.ClientServiceEndpoint;

/** Breaks a rule on purpose: the metrics adapter reaching into the gRPC adapter's classes. */
public final class MetricsThatReadTheEndpoint {
  ClientServiceEndpoint endpoint;
}

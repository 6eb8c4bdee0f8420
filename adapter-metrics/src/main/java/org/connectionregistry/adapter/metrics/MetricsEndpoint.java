package org.connectionregistry.adapter.metrics;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;

/**
 * The HTTP endpoint Prometheus scrapes: {@code /metrics} on a port of its own, served by the
 * Prometheus client library's own HTTP server, so that no exposition format is written here.
 */
public final class MetricsEndpoint implements AutoCloseable {

  private final HTTPServer server;

  private MetricsEndpoint(HTTPServer server) {
    this.server = server;
  }

  static MetricsEndpoint start(PrometheusRegistry registry, String host, int port)
      throws IOException {
    return new MetricsEndpoint(
        HTTPServer.builder().hostname(host).port(port).registry(registry).buildAndStart());
  }

  /** The port it listens on: the one the OS chose if it was asked for port 0. */
  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.close();
  }
}

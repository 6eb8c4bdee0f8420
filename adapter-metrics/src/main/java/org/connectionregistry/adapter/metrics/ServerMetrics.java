package org.connectionregistry.adapter.metrics;

import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.grpc.MetricCollectingServerInterceptor;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import org.connectionregistry.application.port.in.CountClientsUseCase;
import org.connectionregistry.domain.ConnectionStatus;

/**
 * What the server measures about itself, kept in a Prometheus registry: every call by method and
 * status code (count and latency histogram), the registered clients by status, whether the store
 * can be reached, and the JVM's own figures. {@link #serve} makes them scrapeable.
 *
 * <p>The names, as Prometheus shows them:
 *
 * <ul>
 *   <li>{@value #CALLS}{@code _seconds_bucket|_count|_sum{service, method, methodType,
 *       statusCode}}: one observation per finished call, on the server;
 *   <li>{@code grpc_server_requests_received_messages_total} and {@code
 *       grpc_server_responses_sent_messages_total}{@code {service, method, methodType}};
 *   <li>{@value #CLIENTS}{@code {status="connected"|"disconnected"}}: registered clients;
 *   <li>{@value #STORE_UP}: 1 while the store can be reached, 0 while it cannot;
 *   <li>{@value #WATCHERS}{@code {via}}: watchers following the registry's changes right now, by
 *       the way they follow it ({@code web}: live pages open);
 *   <li>{@value #SESSION_CLIENTS}: client IDs held by live sessions (or in their grace period);
 *   <li>{@code jvm_*}, {@code process_*}, {@code system_*}: Micrometer's JVM and process meters.
 * </ul>
 */
public final class ServerMetrics implements AutoCloseable {

  /** Micrometer's name for the server-side duration of a gRPC call. */
  static final String CALLS = "grpc_server_processing_duration";

  static final String CLIENTS = "connreg_clients";

  static final String STORE_UP = "connreg_store_up";

  static final String WATCHERS = "connreg_watchers";

  static final String SESSION_CLIENTS = "connreg_session_clients";

  /**
   * Latency buckets: the Prometheus client's defaults start at 5 ms, but a call on the in-memory
   * store takes well under a millisecond, so the finer buckets below it are where the news is.
   */
  private static final Duration[] LATENCY_BUCKETS = {
    Duration.ofNanos(50_000),
    Duration.ofNanos(100_000),
    Duration.ofNanos(250_000),
    Duration.ofNanos(500_000),
    Duration.ofMillis(1),
    Duration.ofMillis(2),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofSeconds(2),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10)
  };

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final MetricCollectingServerInterceptor calls;
  private final ClientCounter clients;
  private final JvmGcMetrics gc = new JvmGcMetrics();

  /**
   * Registers every meter; nothing is served until {@link #serve}.
   *
   * @param clients the store's counts, asked at most once every {@code countInterval}, when a
   *     scrape asks
   */
  public ServerMetrics(CountClientsUseCase clients, Duration countInterval) {
    Objects.requireNonNull(clients, "clients");
    this.calls =
        new MetricCollectingServerInterceptor(
            registry,
            counter -> counter,
            timer -> timer.serviceLevelObjectives(LATENCY_BUCKETS),
            Status.Code.OK);
    this.clients = new ClientCounter(clients, countInterval);
    for (ConnectionStatus status : ConnectionStatus.values()) {
      Gauge.builder(CLIENTS, this.clients, counter -> counter.count(status))
          .description("Registered clients by status, as the store counts them")
          .tag("status", status.label())
          .strongReference(true)
          .register(registry);
    }
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  /**
   * The gRPC interceptor that times every call and counts its messages; add it to the server
   * builder so that it sees every service, health and reflection included.
   */
  public ServerInterceptor callInterceptor() {
    return calls;
  }

  /** Reports the store as up (1) or down (0), asking {@code reachable} at each scrape. */
  public void watchStore(BooleanSupplier reachable) {
    Objects.requireNonNull(reachable, "reachable");
    Gauge.builder(STORE_UP, () -> isReachable(reachable) ? 1 : 0)
        .description("1 while the store can be reached, 0 while it cannot")
        .strongReference(true)
        .register(registry);
  }

  /**
   * Reports how many watchers follow the registry {@code via} one way ({@code web}, {@code grpc},
   * ...), asking {@code watchers} at each scrape. Each way is reported once; the adapter that
   * serves the watchers counts them.
   */
  public void countWatchers(String via, IntSupplier watchers) {
    Objects.requireNonNull(via, "via");
    Objects.requireNonNull(watchers, "watchers");
    Gauge.builder(WATCHERS, watchers::getAsInt)
        .description("Watchers following the registry's changes right now")
        .tag("via", via)
        .strongReference(true)
        .register(registry);
  }

  /** Reports how many client IDs live sessions hold, asking {@code held} at each scrape. */
  public void countSessionClients(IntSupplier held) {
    Objects.requireNonNull(held, "held");
    Gauge.builder(SESSION_CLIENTS, held::getAsInt)
        .description("Client IDs held by live sessions, or waiting out their grace period")
        .strongReference(true)
        .register(registry);
  }

  private static boolean isReachable(BooleanSupplier reachable) {
    try {
      return reachable.getAsBoolean();
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * Serves the metrics over HTTP on {@code host:port} ({@code /metrics}, Prometheus' text and
   * protobuf formats, as the scraper asks); port 0 picks a free one.
   *
   * @throws IOException if the port cannot be bound
   */
  public MetricsEndpoint serve(String host, int port) throws IOException {
    return MetricsEndpoint.start(registry.getPrometheusRegistry(), host, port);
  }

  /** The current figures in Prometheus' text format, as a scrape would see them. */
  public String scrape() {
    return registry.scrape();
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}

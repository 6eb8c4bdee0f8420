package org.connectionregistry.bootstrap.server;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import org.connectionregistry.adapter.metrics.MetricsEndpoint;
import org.connectionregistry.adapter.metrics.ServerMetrics;
import org.connectionregistry.commandline.PositiveDurationConverter;
import picocli.CommandLine.Option;

/**
 * The server's observability options: metrics for Prometheus, and the log's format. A picocli
 * mixin, so the launcher only names it.
 *
 * <p>Metrics are off unless {@code --metrics-port} is given: a drop-in replacement should not
 * open a port nobody asked for, and operators pick the port their scrape configs and firewalls
 * expect (9464 is the usual one for an application's own exporter).
 */
public final class ObservabilityOptions {

  @Option(
      names = "--metrics-port",
      defaultValue = "${env:CONNECTION_REGISTRY_METRICS_PORT}",
      description = "Serve Prometheus metrics at http://HOST:PORT/metrics, e.g. 9464; 0 for any "
          + "free port (default: off; env CONNECTION_REGISTRY_METRICS_PORT).")
  Integer metricsPort;

  @Option(
      names = "--metrics-host",
      defaultValue = "${env:CONNECTION_REGISTRY_METRICS_HOST:-0.0.0.0}",
      description = "Address the metrics port listens on (default: ${DEFAULT-VALUE}; "
          + "env CONNECTION_REGISTRY_METRICS_HOST).")
  String metricsHost;

  @Option(
      names = "--metrics-count-interval",
      defaultValue = "${env:CONNECTION_REGISTRY_METRICS_COUNT_INTERVAL:-1s}",
      converter = PositiveDurationConverter.class,
      description = "The store is asked for its client counts when scraped, at most this often "
          + "(default: ${DEFAULT-VALUE}).")
  Duration countInterval;

  @Option(
      names = "--log-format",
      defaultValue = "${env:CONNECTION_REGISTRY_LOG_FORMAT:-text}",
      converter = LogFormatConverter.class,
      description = "Log lines as text or json, one object per line for log shippers "
          + "(default: ${DEFAULT-VALUE}; env CONNECTION_REGISTRY_LOG_FORMAT).")
  LogFormat logFormat;

  /** Switches the log to the chosen format. */
  void applyLogFormat() {
    logFormat.apply();
  }

  /**
   * The metrics settings, checked.
   *
   * @throws IllegalArgumentException if the port is out of range
   */
  MetricsSettings metrics() {
    if (metricsPort == null) {
      return new MetricsSettings(metricsHost, OptionalInt.empty(), countInterval);
    }
    if (metricsPort < 0 || metricsPort > 65535) {
      throw new IllegalArgumentException(
          "--metrics-port must be between 0 and 65535, got " + metricsPort);
    }
    return new MetricsSettings(metricsHost, OptionalInt.of(metricsPort), countInterval);
  }

  /** Starts serving the metrics where {@code settings} say, if there are any. */
  static Optional<MetricsEndpoint> serve(Optional<ServerMetrics> metrics, MetricsSettings settings)
      throws IOException {
    if (metrics.isEmpty() || settings.port().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(metrics.get().serve(settings.host(), settings.port().getAsInt()));
  }

  /** Reads {@code text} or {@code json}, in any letter case. */
  static final class LogFormatConverter implements picocli.CommandLine.ITypeConverter<LogFormat> {
    @Override
    public LogFormat convert(String value) {
      for (LogFormat format : LogFormat.values()) {
        if (format.name().equalsIgnoreCase(value.strip())) {
          return format;
        }
      }
      throw new picocli.CommandLine.TypeConversionException(
          "'" + value + "' is not a log format; use text or json");
    }
  }
}

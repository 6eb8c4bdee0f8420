package org.connectionregistry.bootstrap.server;

import java.time.Duration;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * Whether and where the server serves its metrics, and how often it may count its clients.
 *
 * @param port empty: no metrics at all (nothing measured, no port opened)
 */
public record MetricsSettings(String host, OptionalInt port, Duration countInterval) {

  public MetricsSettings {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(port, "port");
    Objects.requireNonNull(countInterval, "countInterval");
  }

  /** No metrics: the server as it was before metrics existed. */
  public static MetricsSettings off() {
    return new MetricsSettings("0.0.0.0", OptionalInt.empty(), Duration.ofSeconds(10));
  }

  public boolean enabled() {
    return port.isPresent();
  }
}

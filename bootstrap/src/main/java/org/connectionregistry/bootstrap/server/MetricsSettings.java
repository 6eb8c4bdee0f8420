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

  public boolean enabled() {
    return port.isPresent();
  }

  /** Where the metrics are served, for messages: {@code HOST:PORT}. */
  public String address() {
    return host + ":" + (port.isPresent() ? port.getAsInt() : "off");
  }
}

package org.connectionregistry.bootstrap.server;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * Whether and where the server serves its live page.
 *
 * @param port empty: no page (no port opened)
 */
public record WebSettings(String host, OptionalInt port) {

  public WebSettings {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(port, "port");
  }

  public boolean enabled() {
    return port.isPresent();
  }

  /** Where the page is served, for messages: {@code HOST:PORT}. */
  public String address() {
    return host + ":" + (port.isPresent() ? port.getAsInt() : "off");
  }
}

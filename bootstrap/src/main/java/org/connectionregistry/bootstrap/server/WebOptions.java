package org.connectionregistry.bootstrap.server;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.OptionalInt;
import picocli.CommandLine.Option;

/**
 * The live page's options. A picocli mixin, so the launcher only names it.
 *
 * <p>Off unless {@code --web-port} is given, like the metrics: a drop-in replacement opens no port
 * nobody asked for.
 */
public final class WebOptions {

  @Option(
      names = "--web-port",
      defaultValue = "${env:CONNECTION_REGISTRY_WEB_PORT}",
      description = "Serve the live page of who is online at http://HOST:PORT/, e.g. 8080; 0 for any"
          + " free port (default: off; env CONNECTION_REGISTRY_WEB_PORT).")
  Integer webPort;

  @Option(
      names = "--web-host",
      defaultValue = "${env:CONNECTION_REGISTRY_WEB_HOST:-0.0.0.0}",
      description = "Address the live page listens on (default: ${DEFAULT-VALUE}; "
          + "env CONNECTION_REGISTRY_WEB_HOST).")
  String webHost;

  /**
   * The page's settings, checked against the server's security.
   *
   * @throws IllegalArgumentException if the port is out of range, or the server authenticates
   *     callers in a way a browser page cannot (client certificates only)
   */
  WebSettings settings(ServerSecurity security) {
    if (webPort == null) {
      return new WebSettings(webHost, OptionalInt.empty());
    }
    if (webPort < 0 || webPort > 65535) {
      throw new IllegalArgumentException("--web-port must be between 0 and 65535, got " + webPort);
    }
    if (security.authenticates() && security.tokenKeys() == null) {
      throw new IllegalArgumentException(
          "--web-port: this server authenticates callers by client certificate only, which the"
              + " live page cannot ask for; add --token-keys so that the page can use a bearer token");
    }
    return new WebSettings(webHost, OptionalInt.of(webPort));
  }

  /** What the server warns about the page at start-up: none on loopback. */
  static Optional<String> warning(WebSettings settings, int port, ServerSecurity security) {
    if (!settings.enabled() || isLoopback(settings.host())) {
      return Optional.empty();
    }
    return Optional.of(
        "Warning: the live page on " + settings.host() + ":" + port + " is plain HTTP: "
            + (security.authenticates()
                ? "the bearer tokens entered there cross the network in plain text; serve it on"
                    + " loopback (--web-host 127.0.0.1) behind a TLS proxy"
                : "anyone who reaches this port can see every client's status (see --token-keys)")
            + ".");
  }

  private static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}

package org.connectionregistry.bootstrap.server;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.connectionregistry.adapter.grpc.security.ReadAccess;
import org.connectionregistry.adapter.grpc.security.ServerLimits;
import org.connectionregistry.commandline.PositiveDurationConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The server's security options: limits, TLS and authentication. A picocli mixin, so the
 * launcher gains them with one field.
 */
public final class SecurityOptions {

  /**
   * Heap allowed per registered client when the cap is sized from the heap. A client with a
   * 128-character ID takes at most about 600 bytes in the registry; the rest is headroom for
   * the calls themselves and for answering "all clients" in one message.
   */
  static final long HEAP_BYTES_PER_CLIENT = 2048;

  @Option(
      names = "--max-clients",
      defaultValue = "${env:CONNECTION_REGISTRY_MAX_CLIENTS:-auto}",
      description = "Most clients the in-memory registry holds; new ones are then refused with"
          + " RESOURCE_EXHAUSTED. 'auto': one per 2 KiB of maximum heap, so the heap never runs"
          + " out; 0: no limit (default: ${DEFAULT-VALUE}).")
  String maxClients;

  @Option(
      names = "--max-connections",
      defaultValue = "${env:CONNECTION_REGISTRY_MAX_CONNECTIONS:-" + ServerLimits.DEFAULT_MAX_CONNECTIONS + "}",
      description = "Most TCP connections open at once; more are closed as they arrive; 0: no limit"
          + " (default: ${DEFAULT-VALUE}).")
  int maxConnections;

  @Option(
      names = "--max-calls-per-connection",
      defaultValue = "" + ServerLimits.DEFAULT_MAX_CALLS_PER_CONNECTION,
      description = "Most calls at once on one connection (default: ${DEFAULT-VALUE}).")
  int maxCallsPerConnection;

  @Option(
      names = "--max-request-bytes",
      defaultValue = "" + ServerLimits.DEFAULT_MAX_REQUEST_BYTES,
      description = "Largest request message accepted (default: ${DEFAULT-VALUE}).")
  int maxRequestBytes;

  @Option(
      names = "--max-connection-idle",
      defaultValue = "5m",
      converter = PositiveDurationConverter.class,
      description = "A connection without calls for this long is closed (default: ${DEFAULT-VALUE}).")
  Duration maxConnectionIdle;

  @Option(
      names = "--max-connection-age",
      defaultValue = "60m",
      converter = PositiveDurationConverter.class,
      description = "A connection this old is asked to reconnect, with 1m for its calls to finish"
          + " (default: ${DEFAULT-VALUE}).")
  Duration maxConnectionAge;

  @Option(
      names = "--handshake-timeout",
      defaultValue = "10s",
      converter = PositiveDurationConverter.class,
      description = "A new connection must complete TLS and HTTP/2 set-up in this time"
          + " (default: ${DEFAULT-VALUE}).")
  Duration handshakeTimeout;

  @Option(
      names = "--rate-limit",
      defaultValue = "${env:CONNECTION_REGISTRY_RATE_LIMIT:-0}",
      description = "Calls a second each caller (identity, else IP address) may make; more are"
          + " refused with RESOURCE_EXHAUSTED; 0: no limit (default: ${DEFAULT-VALUE}).")
  int rateLimit;

  @Option(
      names = "--rate-burst",
      defaultValue = "0",
      description = "Calls a caller may make at once above --rate-limit (default: as --rate-limit).")
  int rateBurst;

  @Option(
      names = "--tls-cert",
      defaultValue = "${env:CONNECTION_REGISTRY_TLS_CERT}",
      description = "PEM certificate chain: serve TLS only (needs --tls-key). Re-read when it changes.")
  Path tlsCertificate;

  @Option(
      names = "--tls-key",
      defaultValue = "${env:CONNECTION_REGISTRY_TLS_KEY}",
      description = "PEM private key (PKCS#8) of --tls-cert. Re-read when it changes.")
  Path tlsKey;

  @Option(
      names = "--tls-client-ca",
      defaultValue = "${env:CONNECTION_REGISTRY_TLS_CLIENT_CA}",
      description = "PEM CA certificates: clients must present a certificate they signed (mTLS);"
          + " its common name is then the caller's identity.")
  Path tlsClientCa;

  @Option(
      names = "--tls-refresh",
      defaultValue = "10s",
      converter = PositiveDurationConverter.class,
      description = "How often the TLS files are checked for changes (default: ${DEFAULT-VALUE}).")
  Duration tlsRefresh;

  @Option(
      names = "--token-keys",
      defaultValue = "${env:CONNECTION_REGISTRY_TOKEN_KEYS}",
      description = "JWK set (JSON) or PEM public keys: callers must send a bearer token (JWT)"
          + " signed with one of them. Re-read when it changes.")
  Path tokenKeys;

  @Option(
      names = "--token-issuer",
      defaultValue = "${env:CONNECTION_REGISTRY_TOKEN_ISSUER}",
      description = "Tokens must have this issuer (iss).")
  String tokenIssuer;

  @Option(
      names = "--token-audience",
      defaultValue = "${env:CONNECTION_REGISTRY_TOKEN_AUDIENCE}",
      description = "Tokens must name this audience (aud).")
  String tokenAudience;

  @Option(
      names = "--admin",
      description = "A token subject or certificate name with the admin role (repeatable);"
          + " tokens may also carry roles: [\"admin\"].")
  List<String> admins = new ArrayList<>();

  @Option(
      names = "--read-access",
      defaultValue = "${env:CONNECTION_REGISTRY_READ_ACCESS:-anyone}",
      description = "Who may read statuses: anyone, authenticated, owner (own IDs; only admins"
          + " list all) or admin (default: ${DEFAULT-VALUE}).")
  String readAccess;

  /** The cap sized from this JVM's maximum heap. */
  static long defaultMaxClients() {
    return Math.max(1, Runtime.getRuntime().maxMemory() / HEAP_BYTES_PER_CLIENT);
  }

  /** Checks the options together and returns them as settings. */
  ServerSecurity settings(CommandSpec spec) {
    long clients;
    if (maxClients.strip().equals("auto")) {
      clients = defaultMaxClients();
    } else {
      try {
        clients = Long.parseLong(maxClients.strip());
      } catch (NumberFormatException e) {
        throw fail(spec, "--max-clients must be a number or 'auto', got '" + maxClients + "'");
      }
      if (clients < 0) {
        throw fail(spec, "--max-clients must not be negative, got " + clients);
      }
      if (clients == 0) {
        clients = Long.MAX_VALUE;
      }
    }
    ServerLimits limits;
    try {
      limits =
          new ServerLimits(
              maxConnections,
              maxCallsPerConnection,
              maxRequestBytes,
              ServerLimits.DEFAULT_MAX_HEADER_BYTES,
              maxConnectionIdle,
              maxConnectionAge,
              ServerLimits.DEFAULT_MAX_CONNECTION_AGE_GRACE,
              handshakeTimeout,
              rateLimit,
              rateBurst);
    } catch (IllegalArgumentException e) {
      throw fail(spec, e.getMessage());
    }
    ServerSecurity.Tls tls = null;
    if (tlsCertificate != null || tlsKey != null || tlsClientCa != null) {
      if (tlsCertificate == null || tlsKey == null) {
        throw fail(spec, "TLS needs both --tls-cert and --tls-key");
      }
      requireReadable(spec, "--tls-cert", tlsCertificate);
      requireReadable(spec, "--tls-key", tlsKey);
      if (tlsClientCa != null) {
        requireReadable(spec, "--tls-client-ca", tlsClientCa);
      }
      tls = new ServerSecurity.Tls(tlsCertificate, tlsKey, tlsClientCa, tlsRefresh);
    }
    if (tokenKeys != null) {
      requireReadable(spec, "--token-keys", tokenKeys);
    }
    ReadAccess reads;
    try {
      reads = ReadAccess.valueOf(readAccess.strip().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw fail(spec, "--read-access must be anyone, authenticated, owner or admin, got '" + readAccess + "'");
    }
    ServerSecurity security =
        new ServerSecurity(clients, limits, tls, tokenKeys, blankToNull(tokenIssuer),
            blankToNull(tokenAudience), admins, reads);
    if (!security.authenticates() && (reads != ReadAccess.ANYONE || !admins.isEmpty())) {
      throw fail(spec, "--read-access and --admin need authentication: give --token-keys or --tls-client-ca");
    }
    return security;
  }

  /**
   * What an operator should hear at start-up: a server reachable beyond this machine that
   * neither encrypts nor checks who calls.
   */
  static List<String> warnings(String host, int port, ServerSecurity security) {
    List<String> warnings = new ArrayList<>();
    if (isLoopback(host)) {
      return warnings;
    }
    if (security.tls() == null) {
      warnings.add("Warning: listening on " + host + ":" + port + " without TLS: calls, statuses"
          + " and tokens cross the network in plain text (see --tls-cert and --tls-key).");
    }
    if (!security.authenticates()) {
      warnings.add("Warning: listening on " + host + ":" + port + " without authentication:"
          + " anyone who reaches this port can change and read every client's status (see"
          + " --token-keys and --tls-client-ca).");
    }
    return warnings;
  }

  private static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static void requireReadable(CommandSpec spec, String option, Path file) {
    if (!Files.isReadable(file) || Files.isDirectory(file)) {
      throw fail(spec, option + " " + file + " is not a readable file");
    }
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.strip();
  }

  private static ParameterException fail(CommandSpec spec, String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}

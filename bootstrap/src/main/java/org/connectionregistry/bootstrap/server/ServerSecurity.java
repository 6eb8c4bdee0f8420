package org.connectionregistry.bootstrap.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.connectionregistry.adapter.grpc.security.ReadAccess;
import org.connectionregistry.adapter.grpc.security.ServerLimits;

/**
 * How the server protects itself and its clients: limits, TLS, and who may do what. Read from
 * the command line by {@link SecurityOptions}; without any option it is the server as it always
 * was, plus limits with generous defaults.
 *
 * @param maxClients most clients the in-memory registry holds
 * @param limits connection, call and rate limits
 * @param tls null for plaintext
 * @param tokenKeys JWK set or PEM public keys that bearer tokens must be signed with; null for none
 * @param tokenIssuer required {@code iss} of tokens, or null
 * @param tokenAudience required {@code aud} of tokens, or null
 * @param admins token subjects or certificate names with the admin role
 * @param readAccess who may read statuses
 */
public record ServerSecurity(
    long maxClients,
    ServerLimits limits,
    Tls tls,
    Path tokenKeys,
    String tokenIssuer,
    String tokenAudience,
    List<String> admins,
    ReadAccess readAccess) {

  /** PEM files of the server's certificate chain and key, and of the client CA for mTLS. */
  public record Tls(Path certificate, Path key, Path clientCa, Duration refresh) {}

  public ServerSecurity {
    admins = List.copyOf(admins);
  }

  /** Whether callers must prove who they are (with a token or a client certificate). */
  public boolean authenticates() {
    return tokenKeys != null || (tls != null && tls.clientCa() != null);
  }

  /** The defaults: limits on, everything else as the original system (for tests and tools). */
  public static ServerSecurity defaults() {
    return new ServerSecurity(
        SecurityOptions.defaultMaxClients(), ServerLimits.defaults(), null, null, null, null,
        List.of(), ReadAccess.ANYONE);
  }
}

package org.connectionregistry.bootstrap.server;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.connectionregistry.adapter.grpc.security.Caller;
import org.connectionregistry.adapter.grpc.security.ReadAccess;
import org.connectionregistry.adapter.grpc.security.TokenVerifier;
import org.connectionregistry.adapter.web.PageAccess;

/**
 * The live page asks what the gRPC server asks: when the server authenticates callers, the page
 * needs a bearer token that the server's keys verify; and since the page lists every client, with
 * {@code --read-access owner} or {@code admin} that token must be an admin's.
 */
final class WebAccess implements PageAccess {

  private final TokenVerifier tokens;
  private final List<String> admins;
  private final ReadAccess readAccess;

  WebAccess(TokenVerifier tokens, List<String> admins, ReadAccess readAccess) {
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.admins = List.copyOf(admins);
    this.readAccess = Objects.requireNonNull(readAccess, "readAccess");
  }

  @Override
  public Decision check(Optional<String> bearerToken) {
    if (bearerToken.isEmpty()) {
      return Decision.unauthenticated(
          "This server requires callers to authenticate: enter a bearer token.");
    }
    Caller caller;
    try {
      caller = tokens.verify(bearerToken.get());
    } catch (TokenVerifier.TokenRejectedException e) {
      return Decision.unauthenticated("The bearer token was refused: " + e.getMessage());
    }
    boolean admin = caller.admin() || admins.contains(caller.name());
    return switch (readAccess) {
      case ANYONE, AUTHENTICATED -> Decision.allowed();
      case OWNER, ADMIN -> admin
          ? Decision.allowed()
          : Decision.forbidden(
              caller.name() + " may not list every client (read access: "
                  + readAccess.name().toLowerCase(Locale.ROOT)
                  + "); the live page lists every client, so it needs an admin's token.");
    };
  }
}

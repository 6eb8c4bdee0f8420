package org.connectionregistry.adapter.web;

import java.util.Optional;

/**
 * Who may read the live page's data: asked once for every call of its API, with the bearer token
 * the page sent. The page's own files (HTML, CSS, script) hold no data and are served to anyone.
 *
 * <p>The web adapter knows nothing of tokens: whoever wires the server decides (the same rules as
 * its gRPC reads), so the page asks for exactly what the server asks for.
 */
@FunctionalInterface
public interface PageAccess {

  /** Anyone may read: a server that does not authenticate its callers. */
  PageAccess ANYONE = token -> Decision.allowed();

  /**
   * @param bearerToken the token of an {@code Authorization: Bearer <token>} header, if any
   */
  Decision check(Optional<String> bearerToken);

  /** Whether the caller may read, and if not, what it is told. */
  record Decision(boolean granted, boolean authenticate, String reason) {

    public static Decision allowed() {
      return new Decision(true, false, "");
    }

    /** No token, or one that proves nothing: the page asks for a (new) token. */
    public static Decision unauthenticated(String reason) {
      return new Decision(false, true, reason);
    }

    /** A valid token that may not read every client. */
    public static Decision forbidden(String reason) {
      return new Decision(false, false, reason);
    }
  }
}

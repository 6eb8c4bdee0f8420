package org.connectionregistry.adapter.grpc.security;

import io.grpc.Context;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Who is calling, as proven by a bearer token or a client certificate, and what that identity
 * may change: the client ID equal to its name, the IDs matching its patterns ({@code *} stands
 * for any characters), or, as an admin, every ID.
 *
 * @param name the token's subject or the certificate's common name
 * @param proof how the caller proved it: {@code "token"} or {@code "certificate"}
 * @param ownedPatterns further client IDs it owns, such as {@code team-a-*}
 * @param admin whether it may change any client and list all
 */
public record Caller(String name, String proof, List<String> ownedPatterns, boolean admin) {

  /** The caller of the current call, set by {@link Authentication}; null when nobody proved anything. */
  public static final Context.Key<Caller> CURRENT = Context.key("connreg-caller");

  public Caller {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(proof, "proof");
    ownedPatterns = List.copyOf(ownedPatterns);
  }

  /** Whether this caller may change the status of {@code clientId}. */
  public boolean owns(String clientId) {
    if (admin || name.equals(clientId)) {
      return true;
    }
    for (String pattern : ownedPatterns) {
      if (matches(pattern, clientId)) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code clientId} matches {@code pattern}, where {@code *} stands for any characters. */
  static boolean matches(String pattern, String clientId) {
    if (!pattern.contains("*")) {
      return pattern.equals(clientId);
    }
    String[] literals = pattern.split("\\*", -1);
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < literals.length; i++) {
      if (i > 0) {
        regex.append(".*");
      }
      regex.append(Pattern.quote(literals[i]));
    }
    return Pattern.matches(regex.toString(), clientId);
  }
}

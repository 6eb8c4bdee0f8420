package org.connectionregistry.adapter.grpc.security;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.slf4j.LoggerFactory;

/**
 * Finds out who is calling: from a bearer token in the {@code authorization} header, or else
 * from the client certificate of a mutual-TLS connection. A caller who proves nothing, or whose
 * token is refused, gets {@code UNAUTHENTICATED} with a description that says what to send.
 * The caller is then {@link Caller#CURRENT} for the rest of the call.
 */
public final class Authentication implements ServerInterceptor {

  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private static final RateLimitedLog log =
      new RateLimitedLog(LoggerFactory.getLogger(Authentication.class), 10, 5);

  private final TokenVerifier tokens;
  private final boolean certificates;
  private final List<String> adminNames;

  /**
   * @param tokens verifies bearer tokens; null if this server accepts none
   * @param certificates whether a verified client certificate proves its common name
   * @param adminNames names (token subjects or certificate common names) that are admins
   */
  public Authentication(TokenVerifier tokens, boolean certificates, List<String> adminNames) {
    if (tokens == null && !certificates) {
      throw new IllegalArgumentException("Authentication needs tokens, certificates or both");
    }
    this.tokens = tokens;
    this.certificates = certificates;
    this.adminNames = List.copyOf(adminNames);
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    Caller caller;
    try {
      caller = identify(call, headers);
    } catch (Refusal refusal) {
      log.info(
          "Refused {} from {}: {}",
          call.getMethodDescriptor().getBareMethodName(),
          call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR),
          refusal.getMessage());
      call.close(Status.UNAUTHENTICATED.withDescription(refusal.getMessage()), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return Contexts.interceptCall(Context.current().withValue(Caller.CURRENT, caller), call, headers, next);
  }

  private Caller identify(ServerCall<?, ?> call, Metadata headers) throws Refusal {
    String authorization = headers.get(AUTHORIZATION);
    if (authorization != null && tokens != null) {
      if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
        throw new Refusal("The authorization header must be 'Bearer <token>'");
      }
      try {
        return promoted(tokens.verify(authorization.substring(7).strip()));
      } catch (TokenVerifier.TokenRejectedException e) {
        throw new Refusal("The bearer token was refused: " + e.getMessage());
      }
    }
    if (certificates) {
      String commonName = certificateName(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
      if (commonName != null) {
        return promoted(new Caller(commonName, "certificate", List.of(), false));
      }
    }
    throw new Refusal(
        "This server requires callers to authenticate: "
            + (tokens != null ? "send a bearer token (header 'authorization: Bearer <JWT>')" : "")
            + (tokens != null && certificates ? " or " : "")
            + (certificates ? "connect with a client certificate its CA trusts" : ""));
  }

  private Caller promoted(Caller caller) {
    if (!caller.admin() && adminNames.contains(caller.name())) {
      return new Caller(caller.name(), caller.proof(), caller.ownedPatterns(), true);
    }
    return caller;
  }

  private static String certificateName(SSLSession session) {
    if (session == null) {
      return null;
    }
    try {
      Certificate[] chain = session.getPeerCertificates();
      if (chain.length == 0 || !(chain[0] instanceof X509Certificate certificate)) {
        return null;
      }
      for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return rdn.getValue().toString();
        }
      }
      return null;
    } catch (SSLPeerUnverifiedException | InvalidNameException e) {
      return null;
    }
  }

  private static final class Refusal extends Exception {
    Refusal(String message) {
      super(message, null, false, false);
    }
  }
}

package org.connectionregistry.adapter.grpc.security;

/** Turns a bearer token into the {@link Caller} it proves, or says why it proves nothing. */
public interface TokenVerifier {

  /**
   * @throws TokenRejectedException with a message that completes "The bearer token was refused:
   *     ..." and tells the caller what to do
   */
  Caller verify(String token) throws TokenRejectedException;

  /** A bearer token that proves nothing: expired, forged, malformed or for someone else. */
  final class TokenRejectedException extends Exception {
    public TokenRejectedException(String reason) {
      super(reason);
    }
  }
}

package org.connectionregistry.adapter.grpc.security;

import io.grpc.CallCredentials;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/** How a client proves the server's identity and its own: TLS settings and a bearer token. */
public final class ClientCredentials {

  private ClientCredentials() {}

  /**
   * TLS trusting {@code ca} (the JDK's trusted CAs when null), presenting the client certificate
   * {@code certificate} with {@code key} when both are given; plaintext when {@code tls} is false.
   */
  public static ChannelCredentials channel(boolean tls, Path ca, Path certificate, Path key)
      throws IOException {
    if (!tls) {
      return InsecureChannelCredentials.create();
    }
    TlsChannelCredentials.Builder builder = TlsChannelCredentials.newBuilder();
    if (ca != null) {
      builder.trustManager(ca.toFile());
    }
    if (certificate != null && key != null) {
      builder.keyManager(certificate.toFile(), key.toFile());
    }
    return builder.build();
  }

  /** Sends {@code authorization: Bearer <token>} with every call, the token read per call. */
  public static CallCredentials bearer(Supplier<String> token) {
    return new CallCredentials() {
      @Override
      public void applyRequestMetadata(
          RequestInfo request, Executor appExecutor, MetadataApplier applier) {
        String value;
        try {
          value = token.get();
        } catch (RuntimeException e) {
          applier.fail(Status.UNAUTHENTICATED.withDescription(e.getMessage()));
          return;
        }
        Metadata headers = new Metadata();
        headers.put(Authentication.AUTHORIZATION, "Bearer " + value);
        applier.apply(headers);
      }
    };
  }

  /** The token in a file (its first line), read again each time, so a renewed token is used. */
  public static Supplier<String> tokenFile(Path file) {
    return () -> {
      try {
        String token = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (token.isEmpty()) {
          throw new IllegalStateException("Token file " + file + " is empty");
        }
        return token.lines().findFirst().orElse(token);
      } catch (IOException e) {
        throw new IllegalStateException("Token file " + file + " cannot be read: " + e.getMessage());
      }
    };
  }
}

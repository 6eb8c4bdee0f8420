package org.connectionregistry.bootstrap.client;

import io.grpc.CallCredentials;
import io.grpc.ChannelCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.connectionregistry.adapter.grpc.security.ClientCredentials;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The console client's TLS and token options: a picocli mixin. The token is never an option's
 * value, since every user of the machine can read a command line in {@code ps}: it comes from a
 * file or from the environment.
 */
public final class ClientSecurityOptions {

  static final String TOKEN_VARIABLE = "CONNECTION_REGISTRY_TOKEN";

  @Option(
      names = "--tls",
      defaultValue = "${env:CONNECTION_REGISTRY_TLS:-false}",
      description = "Connect with TLS, trusting the system's CAs unless --ca is given.")
  boolean tls;

  @Option(
      names = "--ca",
      defaultValue = "${env:CONNECTION_REGISTRY_CA}",
      description = "PEM CA certificates to trust for the server's certificate (implies --tls).")
  Path ca;

  @Option(
      names = "--cert",
      defaultValue = "${env:CONNECTION_REGISTRY_CERT}",
      description = "PEM client certificate for servers that require one (mTLS; needs --key, implies --tls).")
  Path certificate;

  @Option(
      names = "--key",
      defaultValue = "${env:CONNECTION_REGISTRY_KEY}",
      description = "PEM private key (PKCS#8) of --cert.")
  Path key;

  @Option(
      names = "--token-file",
      defaultValue = "${env:CONNECTION_REGISTRY_TOKEN_FILE}",
      description = "File holding the bearer token (JWT) to send; read at every call, so a renewed"
          + " token is used at once. Or put the token in the environment variable "
          + TOKEN_VARIABLE + ".")
  Path tokenFile;

  /** The credentials the options ask for, checked. */
  ClientSecurity settings(CommandSpec spec) {
    boolean useTls = tls || ca != null || certificate != null;
    if ((certificate == null) != (key == null)) {
      throw new ParameterException(spec.commandLine(), "--cert and --key go together");
    }
    for (Path file : new Path[] {ca, certificate, key, tokenFile}) {
      if (file != null && !Files.isReadable(file)) {
        throw new ParameterException(spec.commandLine(), file + " is not a readable file");
      }
    }
    ChannelCredentials channel;
    try {
      channel = ClientCredentials.channel(useTls, ca, certificate, key);
    } catch (IOException | RuntimeException e) {
      throw new ParameterException(
          spec.commandLine(), "The TLS files cannot be used: " + e.getMessage());
    }
    Supplier<String> token = null;
    if (tokenFile != null) {
      token = ClientCredentials.tokenFile(tokenFile);
    } else {
      String fromEnvironment = System.getenv(TOKEN_VARIABLE);
      if (fromEnvironment != null && !fromEnvironment.isBlank()) {
        String value = fromEnvironment.strip();
        token = () -> value;
      }
    }
    CallCredentials call = token == null ? null : ClientCredentials.bearer(token);
    return new ClientSecurity(channel, call, useTls);
  }

  /** What the connection presents: TLS or plaintext, and the token if there is one. */
  public record ClientSecurity(ChannelCredentials channel, CallCredentials token, boolean tls) {
    /** Plaintext without a token, as the client always connected. */
    public static ClientSecurity none() {
      try {
        return new ClientSecurity(ClientCredentials.channel(false, null, null, null), null, false);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}

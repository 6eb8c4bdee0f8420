package org.connectionregistry.bootstrap.client;

import picocli.CommandLine.Option;

/**
 * The {@code --target} option of the console client and each of its commands: the server to talk
 * to. A picocli mixin, so that the option reads the same in every command's help.
 */
public final class TargetOption {

  @Option(
      names = "--target",
      defaultValue = "${env:CONNECTION_REGISTRY_TARGET:-localhost:50051}",
      description = "Server to talk to, HOST:PORT (default: ${DEFAULT-VALUE}; env CONNECTION_REGISTRY_TARGET).")
  String target;

  /** The server to talk to, HOST:PORT. */
  String target() {
    return target;
  }
}

package org.connectionregistry.bootstrap.server;

import java.time.Duration;
import org.connectionregistry.commandline.PositiveDurationConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The server's options for live sessions, as a picocli mixin. */
public final class SessionOptions {

  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  @Option(
      names = "--session-timeout",
      defaultValue = "${env:CONNECTION_REGISTRY_SESSION_TIMEOUT:-5s}",
      converter = PositiveDurationConverter.class,
      description = "A client whose session is gone (process died, link dropped or silent) is shown "
          + "disconnected within this; one that comes back within two fifths of it never is "
          + "(default: ${DEFAULT-VALUE}; env CONNECTION_REGISTRY_SESSION_TIMEOUT).")
  Duration timeout;

  /** The settings these options name; a bad value is a usage error. */
  public SessionSettings settings() {
    try {
      return new SessionSettings(timeout);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }
}

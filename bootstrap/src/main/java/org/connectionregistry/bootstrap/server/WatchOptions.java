package org.connectionregistry.bootstrap.server;

import java.time.Duration;
import org.connectionregistry.commandline.PositiveDurationConverter;
import org.connectionregistry.domain.ChangeHistory;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The server's options for watchers ({@code Watch}), as a picocli mixin. */
public final class WatchOptions {

  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  @Option(
      names = "--watch-history",
      defaultValue = "${env:CONNECTION_REGISTRY_WATCH_HISTORY:-" + ChangeHistory.DEFAULT_CAPACITY + "}",
      description = "How many of the latest changes are kept, so that a watcher can resume after "
          + "a break; older revisions are OUT_OF_RANGE (default: ${DEFAULT-VALUE}; "
          + "env CONNECTION_REGISTRY_WATCH_HISTORY).")
  int history;

  @Option(
      names = "--watch-progress-interval",
      defaultValue = "${env:CONNECTION_REGISTRY_WATCH_PROGRESS_INTERVAL:-5s}",
      converter = PositiveDurationConverter.class,
      description = "An idle watcher is told it is current this often (default: ${DEFAULT-VALUE}; "
          + "env CONNECTION_REGISTRY_WATCH_PROGRESS_INTERVAL).")
  Duration progressInterval;

  @Option(
      names = "--watch-max-lag",
      defaultValue = "${env:CONNECTION_REGISTRY_WATCH_MAX_LAG}",
      description = "A watcher this many changes behind the newest is cut off with "
          + "RESOURCE_EXHAUSTED and resumes; below --watch-history (default: half of it; "
          + "env CONNECTION_REGISTRY_WATCH_MAX_LAG).")
  Long maxLag;

  /** The settings these options name; a bad value is a usage error. */
  public WatchSettings settings() {
    try {
      return maxLag == null
          ? WatchSettings.of(history, progressInterval)
          : new WatchSettings(history, progressInterval, maxLag);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }
}

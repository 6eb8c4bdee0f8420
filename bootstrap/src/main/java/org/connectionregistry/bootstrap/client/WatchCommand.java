package org.connectionregistry.bootstrap.client;

import java.io.PrintStream;
import java.time.Duration;
import java.time.ZoneId;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledExecutorService;
import org.connectionregistry.adapter.console.WatchConsole;
import org.connectionregistry.adapter.grpc.client.GrpcWatchClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code connection-client.jar watch [--from REVISION]}: prints the registry, then every change
 * as it happens, one line each, until Ctrl-C or end of input; resumes by itself after a broken
 * connection without missing or repeating a change.
 */
@Command(
    name = "watch",
    mixinStandardHelpOptions = true,
    description = "Prints the registry, then each change as it happens (time, client, status, why, "
        + "revision), until Ctrl-C or end of input; reconnects by itself.",
    sortOptions = false,
    usageHelpWidth = 120)
public final class WatchCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--from",
      paramLabel = "REVISION",
      description = "Print only the changes after this revision (e.g. the last #number seen), "
          + "without listing the registry first.")
  Long from;

  @Mixin TargetOption targetOption;

  @Mixin ClientSecurityOptions securityOptions;

  @Override
  public Integer call() throws InterruptedException {
    if (from != null && from < 0) {
      throw new ParameterException(spec.commandLine(), "--from must not be negative, got " + from);
    }
    ClientSecurityOptions.ClientSecurity security = securityOptions.settings(spec);
    String target = targetOption.target();
    PrintStream out = UntilCtrlC.lineOutput();
    ScheduledExecutorService retries = UntilCtrlC.retryScheduler("watch-retry");
    try (ServerConnection connection = ServerConnection.forWatching(target, security)) {
      WatchConsole console =
          new WatchConsole(
              new GrpcWatchClient(connection.channel(), target, Duration.ofSeconds(5), retries),
              from == null ? OptionalLong.empty() : OptionalLong.of(from),
              System.in,
              out,
              ZoneId.systemDefault());
      return UntilCtrlC.run(console::run, console::stop, "stop-on-exit");
    } finally {
      retries.shutdownNow();
    }
  }
}

package org.connectionregistry.bootstrap.client;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledExecutorService;
import org.connectionregistry.adapter.console.PresenceConsole;
import org.connectionregistry.adapter.grpc.client.GrpcSessionClient;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.InvalidClientIdException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code connection-client.jar present --id user_1}: holds a live session for one client ID, so
 * it is shown connected while this process lives, and disconnected soon after it dies.
 */
@Command(
    name = "present",
    mixinStandardHelpOptions = true,
    description = "Holds a live session for a client ID until Ctrl-C or end of input, reconnecting "
        + "by itself; prints when it is connected, lost and back.",
    sortOptions = false,
    usageHelpWidth = 120)
public final class PresentCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--id", required = true, description = "The client ID to hold a session for.")
  String id;

  @Mixin TargetOption targetOption;

  @Mixin ClientSecurityOptions securityOptions;

  @Override
  public Integer call() throws InterruptedException {
    ClientSecurityOptions.ClientSecurity security = securityOptions.settings(spec);
    ClientId clientId;
    try {
      clientId = ClientId.of(id);
    } catch (InvalidClientIdException e) {
      throw new ParameterException(spec.commandLine(), "--id: " + e.getMessage());
    }
    String target = targetOption.target();
    PrintStream out = UntilCtrlC.lineOutput();
    ScheduledExecutorService retries = UntilCtrlC.retryScheduler("session-retry");
    try (ServerConnection connection = ServerConnection.forSessions(target, security)) {
      PresenceConsole console =
          new PresenceConsole(
              new GrpcSessionClient(connection.channel(), target, retries), clientId, System.in, out);
      return UntilCtrlC.run(console::run, console::leave, "leave-on-exit");
    } finally {
      retries.shutdownNow();
    }
  }
}

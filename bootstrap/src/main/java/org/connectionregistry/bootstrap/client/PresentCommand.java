package org.connectionregistry.bootstrap.client;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
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

  @Option(
      names = "--target",
      defaultValue = "${env:CONNECTION_REGISTRY_TARGET:-localhost:50051}",
      description = "Server to talk to, HOST:PORT (default: ${DEFAULT-VALUE}; env CONNECTION_REGISTRY_TARGET).")
  String target;

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
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    ScheduledExecutorService retries =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "session-retry");
              thread.setDaemon(true);
              return thread;
            });
    try (ServerConnection connection = ServerConnection.forSessions(target, security)) {
      PresenceConsole console =
          new PresenceConsole(
              new GrpcSessionClient(connection.channel(), target, retries), clientId, System.in, out);
      Thread onCtrlC = new Thread(console::leave, "leave-on-exit");
      Runtime.getRuntime().addShutdownHook(onCtrlC);
      int code = console.run();
      try {
        Runtime.getRuntime().removeShutdownHook(onCtrlC);
      } catch (IllegalStateException e) {
        // already shutting down: the hook is leaving
      }
      return code;
    } finally {
      retries.shutdownNow();
    }
  }
}

package org.connectionregistry.bootstrap.client;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.connectionregistry.bootstrap.cli.Launcher;
import org.connectionregistry.commandline.PositiveDurationConverter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code java -jar connection-client.jar}: the interactive menu of the original client. */
@Command(
    name = "connection-client",
    mixinStandardHelpOptions = true,
    version = "connection-client 1.0",
    description = "Sends Hello/Goodbye messages and reads client statuses from a connection server.",
    sortOptions = false,
    usageHelpWidth = 120,
    subcommands = {PresentCommand.class, WatchCommand.class})
public final class ClientLauncher implements Callable<Integer> {

  /** Enough for about a thousand listed clients per write. */
  private static final int OUTPUT_BUFFER_BYTES = 1 << 16;

  @Mixin TargetOption targetOption;

  @Option(
      names = "--deadline",
      defaultValue = "${env:CONNECTION_REGISTRY_DEADLINE:-5s}",
      converter = PositiveDurationConverter.class,
      description = "How long to wait for each answer (default: ${DEFAULT-VALUE}; env CONNECTION_REGISTRY_DEADLINE).")
  Duration deadline;

  @Mixin ClientSecurityOptions securityOptions;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    ClientSecurityOptions.ClientSecurity security = securityOptions.settings(spec);
    // UTF-8 whatever the locale, so that client IDs in any script print as typed. Buffered, with
    // no flush per line: the menu flushes before every prompt and after every page of a listing.
    PrintStream out =
        new PrintStream(
            new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), OUTPUT_BUFFER_BYTES),
            false,
            StandardCharsets.UTF_8);
    ClientComponent component =
        DaggerClientComponent.factory()
            .create(new ClientSettings(targetOption.target(), deadline), security, System.in, out);
    try (ServerConnection connection = component.serverConnection()) {
      component.menu().run();
    } finally {
      out.flush();
    }
    return 0;
  }

  public static void main(String[] args) {
    // Logs go to stderr, warnings only: standard output belongs to the menu and to scripts.
    System.setProperty("connreg.log.target", "System.err");
    System.setProperty("connreg.log.level", "WARN");
    System.exit(Launcher.run(new ClientLauncher(), args));
  }
}

package org.connectionregistry.benchmarks.load;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.adapter.grpc.MessageLimits;
import org.connectionregistry.adapter.grpc.client.GrpcConnectionClient;
import org.connectionregistry.commandline.DurationConverter;
import org.connectionregistry.testsupport.ServerProcess;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * How long "all clients" takes on a large registry: starts the full server as a process, fills
 * it with clients through SendMessage (the way users do, many calls in flight), then times
 * listing them all through the streamed ListClients call (read raw; printed page by page by the
 * console client's own menu into a discarding stream; collected into one list) and through the
 * legacy one-message GetClientStatus(""), several times each; last, as a user sees it, the
 * console client jar run as a process, printing every line into a pipe.
 *
 * <p>This class reads the options and runs the steps; {@link ServerCommand} starts the server,
 * {@link RegistryFiller} fills it, {@link ListingMethod} makes the ways of listing, and {@link
 * ListingTimer} times them and prints the figures.
 */
@Command(
    name = "listing",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Fills the full server with clients over SendMessage, then times listing all of them",
      "with ListClients (raw; printed by the console client's menu into a discarding stream;",
      "collected into one list) and with the legacy GetClientStatus(\"\"); then runs the",
      "console client jar as a user would, timing from Enter to its last line.",
      "In --server-args, {port} is the port chosen for the server."
    })
public final class ListingBenchmark implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--clients",
      defaultValue = "1000000",
      description = "Clients to register (default: ${DEFAULT-VALUE}).")
  int clients;

  @Option(
      names = "--in-flight",
      defaultValue = "512",
      description = "SendMessage calls in flight while registering (default: ${DEFAULT-VALUE}).")
  int inFlight;

  @Option(
      names = "--runs",
      defaultValue = "5",
      description = "Measured listings per method (default: ${DEFAULT-VALUE}).")
  int runs;

  @Option(
      names = "--warmup-runs",
      defaultValue = "2",
      description = "Unmeasured listings per method first (default: ${DEFAULT-VALUE}).")
  int warmupRuns;

  @Option(
      names = "--target",
      description = "HOST:PORT of a server that is already running; then none is started, and "
          + "it should be empty.")
  String target;

  @Option(
      names = "--jvm-flags",
      defaultValue = "-Xms2g -Xmx2g",
      description = "JVM flags of the server (default: ${DEFAULT-VALUE}).")
  String jvmFlags;

  @Option(
      names = "--server-args",
      defaultValue = ServerCommand.FULL_SERVER_ARGS,
      description = "What follows 'java <jvm flags>' (default: ${DEFAULT-VALUE}).")
  String serverArgs;

  @Option(
      names = "--server-ready",
      defaultValue = ServerCommand.FULL_SERVER_READY,
      description = "Text the server prints when ready (default: ${DEFAULT-VALUE}).")
  String serverReady;

  @Option(
      names = "--client-jar",
      defaultValue = "bootstrap/target/connection-client.jar",
      description = "The console client to time as a process, as a user runs it "
          + "(default: ${DEFAULT-VALUE}; that row is left out when it does not exist).")
  Path clientJar;

  @Option(
      names = "--typing",
      defaultValue = "1s",
      converter = DurationConverter.class,
      description = "How long the console client's user reads the menu before choosing "
          + "(default: ${DEFAULT-VALUE}).")
  Duration typing;

  @Option(
      names = "--skip-legacy",
      description = "Do not time the legacy GetClientStatus(\"\").")
  boolean skipLegacy;

  @Override
  public Integer call() throws IOException, InterruptedException {
    if (clients < 1 || runs < 1 || warmupRuns < 0 || inFlight < 1) {
      throw new ParameterException(
          spec.commandLine(),
          "--clients, --runs and --in-flight must be positive, --warmup-runs not negative");
    }
    PrintWriter out = spec.commandLine().getOut();
    try (ServerProcess server = target == null ? startServer() : null) {
      String serverTarget = server == null ? target : server.target();
      if (server != null) {
        out.printf("Server ready (pid %d, port %d).%n", server.pid(), server.port());
      }
      ManagedChannel channel =
          NettyChannelBuilder.forTarget(serverTarget)
              .usePlaintext()
              .maxInboundMessageSize(MessageLimits.LEGACY_LISTING_INBOUND_BYTES)
              .build();
      try {
        return measure(channel, serverTarget, out) ? 0 : 1;
      } finally {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }
    }
  }

  private ServerProcess startServer() throws IOException, InterruptedException {
    return new ServerCommand("full", jvmFlags, serverArgs, serverReady)
        .start(List.of(), Map.of(), Duration.ofSeconds(60));
  }

  /** Fills the registry, then times every way of listing it; true if every listing was complete. */
  private boolean measure(ManagedChannel channel, String serverTarget, PrintWriter out)
      throws IOException, InterruptedException {
    long start = System.nanoTime();
    RegistryFiller.fill(channel, clients, inFlight);
    out.printf("Registered %,d clients over SendMessage in %s.%n",
        clients, RunTimes.millis(System.nanoTime() - start));
    out.flush();
    ListingTimer timer = new ListingTimer(out, clients, warmupRuns, runs);
    GrpcConnectionClient client =
        new GrpcConnectionClient(channel, serverTarget, Duration.ofSeconds(30));
    List<ListingMethod> methods = new ArrayList<>();
    methods.add(ListingMethod.rawStream(channel));
    methods.add(ListingMethod.consoleMenu(client));
    methods.add(ListingMethod.collectedList(client));
    if (!skipLegacy) {
      methods.add(ListingMethod.legacy(channel));
    }
    boolean complete = true;
    for (ListingMethod method : methods) {
      complete &= timer.time(method).complete();
    }
    if (Files.isRegularFile(clientJar)) {
      complete &= timer.timeConsoleProcess(clientJar, serverTarget, typing);
    } else {
      out.printf("The console client process is not timed: %s does not exist.%n", clientJar);
    }
    return complete;
  }

  public static void main(String[] args) {
    System.exit(Cli.commandLine(new ListingBenchmark()).execute(args));
  }
}

package org.connectionregistry.benchmarks.load;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.connectionregistry.adapter.console.ConsoleMenu;
import org.connectionregistry.adapter.grpc.client.GrpcConnectionClient;
import org.connectionregistry.application.port.in.ListClientsUseCase;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.proto.ClientServiceGrpc;
import org.connectionregistry.proto.ClientServiceGrpc.ClientServiceBlockingStub;
import org.connectionregistry.proto.ClientServiceGrpc.ClientServiceStub;
import org.connectionregistry.proto.ClientStatusRequest;
import org.connectionregistry.proto.ListClientsRequest;
import org.connectionregistry.proto.ListClientsResponse;
import org.connectionregistry.proto.MessageRequest;
import org.connectionregistry.proto.MessageResponse;
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

  static final Duration TARGET = Duration.ofSeconds(1);

  /** Room for the legacy answer (about 29 bytes a client, in one message), as the console client has. */
  private static final int MAX_INBOUND_BYTES = 512 * 1024 * 1024;

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
      defaultValue =
          "-jar bootstrap/target/connection-server.jar --host 127.0.0.1 --port {port}",
      description = "What follows 'java <jvm flags>' (default: ${DEFAULT-VALUE}).")
  String serverArgs;

  @Option(
      names = "--server-ready",
      defaultValue = "Server is starting on port",
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
    ServerProcess server = null;
    try {
      String host = "127.0.0.1";
      int port;
      if (target == null) {
        server = startServer();
        port = server.port();
        out.printf("Server ready (pid %d, port %d).%n", server.pid(), port);
      } else {
        int colon = target.lastIndexOf(':');
        host = target.substring(0, colon);
        port = Integer.parseInt(target.substring(colon + 1));
      }
      ManagedChannel channel =
          NettyChannelBuilder.forAddress(host, port)
              .usePlaintext()
              .maxInboundMessageSize(MAX_INBOUND_BYTES)
              .build();
      try {
        long start = System.nanoTime();
        register(channel);
        out.printf("Registered %,d clients over SendMessage in %s.%n",
            clients, millis(System.nanoTime() - start));
        out.flush();
        boolean complete = true;
        complete &= time("ListClients, raw stub", () -> listRaw(channel), out);
        GrpcConnectionClient client =
            new GrpcConnectionClient(channel, host + ":" + port, Duration.ofSeconds(30));
        complete &= time("ListClients, console menu", () -> listAsTheConsole(client), out);
        complete &= time("ListClients, collected list", () -> client.listClients().size(), out);
        if (!skipLegacy) {
          complete &= time("GetClientStatus(\"\"), legacy", () -> listLegacy(channel), out);
        }
        if (Files.isRegularFile(clientJar)) {
          complete &= timeConsoleProcess(host + ":" + port, out);
        } else {
          out.printf("The console client process is not timed: %s does not exist.%n", clientJar);
        }
        return complete ? 0 : 1;
      } finally {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }

  private ServerProcess startServer() throws IOException, InterruptedException {
    int port = ServerProcess.freePort();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(words(jvmFlags));
    for (String word : words(serverArgs)) {
      command.add(word.replace("{port}", Integer.toString(port)));
    }
    return ServerProcess.start("full", command, port, serverReady, Duration.ofSeconds(60));
  }

  /** One SendMessage per client: Hello, or Goodbye for every third, so both statuses show. */
  private void register(ManagedChannel channel) throws InterruptedException {
    ClientServiceStub stub = ClientServiceGrpc.newStub(channel);
    Semaphore slots = new Semaphore(inFlight);
    CountDownLatch done = new CountDownLatch(clients);
    AtomicReference<Throwable> firstError = new AtomicReference<>();
    for (int i = 0; i < clients; i++) {
      slots.acquire();
      MessageRequest request =
          MessageRequest.newBuilder()
              .setClientId(clientId(i))
              .setMessage(i % 3 == 0 ? "Goodbye" : "Hello")
              .build();
      stub.sendMessage(
          request,
          new StreamObserver<>() {
            @Override
            public void onNext(MessageResponse response) {}

            @Override
            public void onError(Throwable t) {
              firstError.compareAndSet(null, t);
              slots.release();
              done.countDown();
            }

            @Override
            public void onCompleted() {
              slots.release();
              done.countDown();
            }
          });
    }
    done.await();
    if (firstError.get() != null) {
      throw new IllegalStateException(
          "Registering failed: " + Cli.describe(firstError.get()), firstError.get());
    }
  }

  static String clientId(int i) {
    return String.format("client-%07d", i);
  }

  /** The stream read as bare protobuf: what the wire and the server cost, without our client. */
  private static long listRaw(ManagedChannel channel) {
    ClientServiceBlockingStub stub =
        ClientServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    Iterator<ListClientsResponse> pages = stub.listClients(ListClientsRequest.getDefaultInstance());
    long count = 0;
    while (pages.hasNext()) {
      count += pages.next().getClientsCount();
    }
    return count;
  }

  /**
   * Option 2 with an empty ID, as a user of the console client chooses it: the menu itself prints
   * each page {@link GrpcConnectionClient#forEachClientPage} hands over, one line a client, to a
   * stream like the launcher's (UTF-8, buffered, flushed by the menu) that discards what it is
   * given.
   * Returns how many clients the menu was handed.
   */
  private static long listAsTheConsole(GrpcConnectionClient client) {
    CountingListing listing = new CountingListing(client);
    InputStream typed = new ByteArrayInputStream("2\n\n3\n".getBytes(StandardCharsets.UTF_8));
    PrintStream discarded =
        new PrintStream(
            new BufferedOutputStream(OutputStream.nullOutputStream(), 1 << 16),
            false,
            StandardCharsets.UTF_8);
    new ConsoleMenu(client, client, listing, typed, discarded).run();
    return listing.clients;
  }

  /** Passes the pages on to the menu, counting their clients. */
  private static final class CountingListing implements ListClientsUseCase {
    private final ListClientsUseCase listing;
    long clients;

    CountingListing(ListClientsUseCase listing) {
      this.listing = listing;
    }

    @Override
    public List<ClientConnection> listClients() {
      List<ClientConnection> all = listing.listClients();
      clients += all.size();
      return all;
    }

    @Override
    public void forEachClientPage(Consumer<? super List<ClientConnection>> pages) {
      listing.forEachClientPage(
          page -> {
            clients += page.size();
            pages.accept(page);
          });
    }
  }

  private static long listLegacy(ManagedChannel channel) {
    return ClientServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(60, TimeUnit.SECONDS)
        .getClientStatus(ClientStatusRequest.getDefaultInstance())
        .getStatusesCount();
  }

  /** Times one way of listing; true if every run listed every client. */
  private boolean time(String name, LongSupplier listing, PrintWriter out) {
    for (int i = 0; i < warmupRuns; i++) {
      listing.getAsLong();
    }
    long[] nanos = new long[runs];
    boolean complete = true;
    for (int i = 0; i < runs; i++) {
      long start = System.nanoTime();
      long listed = listing.getAsLong();
      nanos[i] = System.nanoTime() - start;
      complete &= listed == clients;
      out.printf("%-32s run %d/%d: %,d clients in %s%n",
          name, i + 1, runs, listed, millis(nanos[i]));
      out.flush();
    }
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    long median = sorted[sorted.length / 2];
    out.printf("%-32s best %s, median %s (target: under %s)%s%n",
        name, millis(sorted[0]), millis(median), millis(TARGET.toNanos()),
        complete ? "" : " INCOMPLETE: some runs did not list every client");
    out.flush();
    return complete;
  }

  /**
   * The console client jar as a process, run after run: the user takes {@code --typing} to choose
   * "all clients"; timed from Enter to its first and last line, and from "3" to the exit.
   */
  private boolean timeConsoleProcess(String serverTarget, PrintWriter out)
      throws IOException, InterruptedException {
    String name = "connection-client.jar process";
    long[] lastLines = new long[runs];
    boolean complete = true;
    for (int i = 0; i < runs; i++) {
      ConsoleClientProcess.Timings run = ConsoleClientProcess.listAll(clientJar, serverTarget, typing);
      lastLines[i] = run.lastLineNanos();
      complete &= run.lines() == clients;
      out.printf("%-32s run %d/%d: %,d lines; from Enter, first %s, last %s; exit %s%n",
          name, i + 1, runs, run.lines(), millis(run.firstLineNanos()),
          millis(run.lastLineNanos()), millis(run.exitNanos()));
      out.flush();
    }
    Arrays.sort(lastLines);
    out.printf("%-32s best %s, median %s from Enter to the last line (target: under %s)%s%n",
        name, millis(lastLines[0]), millis(lastLines[lastLines.length / 2]),
        millis(TARGET.toNanos()),
        complete ? "" : " INCOMPLETE: some runs did not print every client");
    out.flush();
    return complete;
  }

  private static String millis(long nanos) {
    return String.format("%.0f ms", nanos / 1e6);
  }

  private static List<String> words(String text) {
    String stripped = text.strip();
    return stripped.isEmpty() ? List.of() : Arrays.asList(stripped.split("\\s+"));
  }

  public static void main(String[] args) {
    System.exit(Cli.commandLine(new ListingBenchmark()).execute(args));
  }
}

package org.connectionregistry.benchmarks.security;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.connectionregistry.proto.ClientServiceGrpc;
import org.connectionregistry.proto.ClientStatusRequest;
import org.connectionregistry.proto.ListClientsRequest;
import org.connectionregistry.proto.ListClientsResponse;
import org.connectionregistry.proto.MessageRequest;
import org.connectionregistry.proto.MessageResponse;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The attack of issue 12: unique 128-character client IDs as fast as the server takes them,
 * against {@code connection-server.jar} started as a process with the given JVM options. Prints
 * how many IDs were accepted, when and how new IDs were refused, whether a known ID and health
 * still answer, and whether every acknowledged ID is still listed.
 */
@Command(
    name = "IdFlood",
    mixinStandardHelpOptions = true,
    description = "Floods connection-server.jar with unique 128-character client IDs.")
public final class IdFlood implements Callable<Integer> {

  @Option(names = "--server-jar", defaultValue = "bootstrap/target/connection-server.jar",
      description = "The server jar (default: ${DEFAULT-VALUE}).")
  Path serverJar;

  @Option(names = "--jvm", split = " ", description = "JVM options for the server, e.g. -Xmx64m (default: none).")
  List<String> jvmOptions = new ArrayList<>();

  @Option(names = "--max-ids", defaultValue = "20000000", description = "Stop after this many IDs (default: ${DEFAULT-VALUE}).")
  long maxIds;

  @Option(names = "--concurrency", defaultValue = "64", description = "Calls in flight (default: ${DEFAULT-VALUE}).")
  int concurrency;

  public static void main(String[] args) {
    System.exit(new CommandLine(new IdFlood()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    int port = freePort();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-jar", serverJar.toString(), "--host", "127.0.0.1", "--port", String.valueOf(port)));
    Path log = Files.createTempFile("id-flood-server", ".log");
    Process server = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    // Interrupted (Ctrl-C, a time limit), the flood must not leave its server behind.
    Thread reaper = new Thread(server::destroyForcibly, "stop-flooded-server");
    Runtime.getRuntime().addShutdownHook(reaper);
    ManagedChannel channel = null;
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!Files.readString(log).contains("Server is starting on port " + port)) {
        if (!server.isAlive() || System.nanoTime() > deadline) {
          System.out.println("The server did not start:\n" + Files.readString(log));
          return 1;
        }
        Thread.sleep(50);
      }
      channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
          .maxInboundMessageSize(512 * 1024 * 1024).build();
      System.out.printf(Locale.ROOT, "Server: java %s -jar %s (pid %d)%n", String.join(" ", jvmOptions), serverJar, server.pid());
      ClientServiceGrpc.ClientServiceBlockingStub blocking = ClientServiceGrpc.newBlockingStub(channel);
      blocking.withDeadlineAfter(10, TimeUnit.SECONDS)
          .sendMessage(MessageRequest.newBuilder().setClientId("known_1").setMessage("Hello").build());

      long start = System.nanoTime();
      AtomicLong accepted = new AtomicLong();
      AtomicLong otherErrors = new AtomicLong();
      AtomicReference<Status> refusal = new AtomicReference<>();
      AtomicReference<Status> lastError = new AtomicReference<>();
      Semaphore inFlight = new Semaphore(concurrency);
      ClientServiceGrpc.ClientServiceStub stub = ClientServiceGrpc.newStub(channel);
      long sent = 0;
      for (; sent < maxIds && refusal.get() == null && otherErrors.get() < concurrency && server.isAlive(); sent++) {
        inFlight.acquire();
        if (sent > 0 && sent % 250_000 == 0) {
          System.out.printf(Locale.ROOT, "  %,d IDs sent, %,d accepted, %.0f s%n",
              sent, accepted.get(), (System.nanoTime() - start) / 1e9);
        }
        String prefix = "flood_" + sent + "_";
        String id = prefix + "x".repeat(128 - prefix.length());
        stub.withDeadlineAfter(30, TimeUnit.SECONDS).sendMessage(
            MessageRequest.newBuilder().setClientId(id).setMessage("Hello").build(),
            new StreamObserver<MessageResponse>() {
              @Override
              public void onNext(MessageResponse value) {
                accepted.incrementAndGet();
              }

              @Override
              public void onError(Throwable t) {
                Status status = Status.fromThrowable(t);
                if (status.getCode() == Status.Code.RESOURCE_EXHAUSTED) {
                  refusal.compareAndSet(null, status);
                } else {
                  otherErrors.incrementAndGet();
                  lastError.set(status);
                }
                inFlight.release();
              }

              @Override
              public void onCompleted() {
                inFlight.release();
              }
            });
      }
      inFlight.tryAcquire(concurrency, 60, TimeUnit.SECONDS);
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(Locale.ROOT, "Sent %,d new IDs in %.1f s; %,d accepted (%,.0f/s)%n", sent, seconds, accepted.get(), accepted.get() / seconds);
      if (refusal.get() != null) {
        System.out.println("New IDs refused: " + refusal.get().getCode() + ": " + refusal.get().getDescription());
      }
      if (lastError.get() != null) {
        System.out.println("Other errors: " + otherErrors.get() + ", last: " + lastError.get());
      }
      if (!server.isAlive() || server.waitFor(2, TimeUnit.SECONDS)) {
        System.out.println("Server process exited with code " + server.exitValue() + "; its last lines:");
        List<String> lines = Files.readAllLines(log);
        lines.subList(Math.max(0, lines.size() - 3), lines.size()).forEach(line -> System.out.println("  " + line));
        return 0;
      }
      long t0 = System.nanoTime();
      String known = blocking.withDeadlineAfter(10, TimeUnit.SECONDS)
          .sendMessage(MessageRequest.newBuilder().setClientId("known_1").setMessage("Goodbye").build()).getInfo();
      System.out.printf(Locale.ROOT, "Known ID afterwards: '%s' in %.1f ms%n", known, (System.nanoTime() - t0) / 1e6);
      t0 = System.nanoTime();
      String health = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
          .check(HealthCheckRequest.getDefaultInstance()).getStatus().toString();
      System.out.printf(Locale.ROOT, "Health afterwards: %s in %.1f ms%n", health, (System.nanoTime() - t0) / 1e6);
      long listed = 0;
      Iterator<ListClientsResponse> pages = blocking.withDeadlineAfter(120, TimeUnit.SECONDS)
          .listClients(ListClientsRequest.getDefaultInstance());
      while (pages.hasNext()) {
        listed += pages.next().getClientsCount();
      }
      System.out.printf(Locale.ROOT, "Listed afterwards: %,d clients (%,d acknowledged flood IDs + known_1): %s%n",
          listed, accepted.get(), listed == accepted.get() + 1 ? "nothing acknowledged was lost" : "MISMATCH");
      String status = blocking.withDeadlineAfter(10, TimeUnit.SECONDS)
          .getClientStatus(ClientStatusRequest.newBuilder().setClientId("known_1").build()).getStatusesMap().toString();
      System.out.println("known_1: " + status);
      return 0;
    } finally {
      if (channel != null) {
        channel.shutdownNow();
      }
      server.destroy();
      if (!server.waitFor(10, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress("127.0.0.1", 0));
      return socket.getLocalPort();
    }
  }
}

package org.connectionregistry.benchmarks.load;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.connectionregistry.adapter.grpc.client.GrpcSessionClient;
import org.connectionregistry.application.port.in.HoldSessionUseCase.SessionListener;
import org.connectionregistry.application.port.in.SessionEnd;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.proto.ClientServiceGrpc;
import org.connectionregistry.proto.ClientStatusRequest;
import org.connectionregistry.proto.ConnectEvent;
import org.connectionregistry.proto.ConnectRequest;
import org.connectionregistry.commandline.DurationConverter;
import org.connectionregistry.commandline.Durations;
import org.connectionregistry.testsupport.FreePort;
import org.connectionregistry.testsupport.ServerProcess;
import org.connectionregistry.testsupport.TcpProxy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Live presence, measured in one run against the server jar (default {@code --session-timeout},
 * memory store):
 *
 * <ol>
 *   <li>kill -9: a {@code connection-client.jar present} process holds a session and is killed
 *       with SIGKILL; time from the kill to the status reading "disconnected", over many trials;
 *   <li>silent drop: a session held through a loopback proxy that stops forwarding without
 *       closing; time from the freeze to "disconnected";
 *   <li>many sessions: SendMessage throughput without sessions (the anchor), then with {@code
 *       --sessions} sessions held over {@code --connections} connections; the server's live heap
 *       (after a full GC, from {@code jcmd GC.class_histogram}) before and with them, and the
 *       server's CPU while they sit idle (keepalive pings and nothing else);
 *   <li>server kill -9: two servers on one redis-server of the benchmark's own, a session held
 *       through one of them, which is killed with SIGKILL; time to "disconnected" read through
 *       the other.
 * </ol>
 */
@Command(
    name = "presence-benchmark",
    mixinStandardHelpOptions = true,
    description = "Times how fast dead and silent session holders are shown disconnected, and "
        + "what many held sessions cost a server.")
public final class PresenceBenchmark implements java.util.concurrent.Callable<Integer> {

  /** Sessions being opened at any one time. */
  private static final int OPENING_AT_ONCE = 2_000;

  @Option(names = "--server-jar", defaultValue = "bootstrap/target/connection-server.jar")
  Path serverJar;

  @Option(names = "--client-jar", defaultValue = "bootstrap/target/connection-client.jar")
  Path clientJar;

  @Option(names = "--kill-trials", defaultValue = "20", description = "kill -9 trials (default: ${DEFAULT-VALUE}).")
  int killTrials;

  @Option(names = "--silent-trials", defaultValue = "20", description = "silent-drop trials (default: ${DEFAULT-VALUE}).")
  int silentTrials;

  @Option(names = "--sessions", defaultValue = "100000", description = "sessions held at once (default: ${DEFAULT-VALUE}).")
  int sessions;

  @Option(names = "--connections", defaultValue = "100", description = "connections that carry them (default: ${DEFAULT-VALUE}).")
  int connections;

  @Option(names = "--duration", defaultValue = "10s", converter = DurationConverter.class,
      description = "each SendMessage load run and the idle CPU window (default: ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(names = "--concurrency", defaultValue = "64", description = "SendMessage calls in flight (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(names = "--server-heap", defaultValue = "2g", description = "the server's -Xmx (default: ${DEFAULT-VALUE}).")
  String serverHeap;

  @Option(names = "--server-kill-trials", defaultValue = "10",
      description = "kill -9 trials of a server in a two-server Redis deployment (default: ${DEFAULT-VALUE}).")
  int serverKillTrials;

  @Option(names = "--redis-server", defaultValue = "redis-server",
      description = "the redis-server binary for the server-kill trials (default: ${DEFAULT-VALUE}, from the PATH).")
  String redisServer;

  @Override
  public Integer call() throws Exception {
    int port = FreePort.onLoopback();
    List<String> command =
        List.of(javaBin("java"), "-Xmx" + serverHeap, "-jar", serverJar.toString(),
            "--host", "127.0.0.1", "--port", Integer.toString(port));
    try (ServerProcess server =
        ServerProcess.command("server", command, port)
            .readyWhenPrinting("Server is starting on port")
            .startTimeout(Duration.ofSeconds(60))
            .start()) {
      ManagedChannel reader = channel(port);
      try {
        if (killTrials > 0) {
          report("kill -9 of a present client process -> disconnected", killTrials(port, reader));
        }
        if (silentTrials > 0) {
          report("silently dropped peer (proxy stops forwarding) -> disconnected", silentTrials(port, reader));
        }
        if (sessions > 0) {
          manySessions(server, port);
        }
        if (serverKillTrials > 0) {
          report("kill -9 of the server holding a session, two servers on one Redis -> disconnected "
              + "through the other", serverKillTrials());
        }
      } finally {
        reader.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
    return 0;
  }

  private long[] killTrials(int port, ManagedChannel reader) throws Exception {
    long[] millis = new long[killTrials];
    for (int i = 0; i < killTrials; i++) {
      String id = "killed_" + i;
      Process client = presentClient(id, port);
      awaitStatus(reader, id, "connected", Duration.ofSeconds(10));
      long killed = System.nanoTime();
      client.destroyForcibly(); // SIGKILL on Linux
      millis[i] = awaitStatus(reader, id, "disconnected", Duration.ofSeconds(30)) - killed;
      client.waitFor();
      System.out.printf(Locale.ROOT, "  kill -9 trial %d: %d ms%n", i + 1, millis[i] / 1_000_000);
    }
    return millis;
  }

  /**
   * Two servers on one redis-server (no persistence): in each trial a server A is started, a
   * {@code present} client process holds a session through it, and A is killed with SIGKILL (the
   * client too, so it cannot come back); time from the kill to server B, which lives through all
   * trials, reading "disconnected".
   */
  private long[] serverKillTrials() throws Exception {
    long[] nanos = new long[serverKillTrials];
    Path redisDir = java.nio.file.Files.createTempDirectory("presence-benchmark-redis");
    int redisPort = FreePort.onLoopback();
    try (ServerProcess redis =
            ServerProcess.command("redis",
                    List.of(redisServer, "--port", Integer.toString(redisPort), "--bind", "127.0.0.1",
                        "--save", "", "--appendonly", "no", "--dir", redisDir.toString()),
                    redisPort)
                .readyWhenPrinting("Ready to accept connections")
                .startTimeout(Duration.ofSeconds(30))
                .start();
        ServerProcess b = serverOn("redis://127.0.0.1:" + redisPort)) {
      ManagedChannel throughB = channel(b.port());
      try {
        for (int i = 0; i < serverKillTrials; i++) {
          String id = "server_killed_" + i;
          try (ServerProcess a = serverOn("redis://127.0.0.1:" + redisPort)) {
            Process client = presentClient(id, a.port());
            try {
              awaitStatus(throughB, id, "connected", Duration.ofSeconds(10));
              Thread.sleep(ThreadLocalRandomMillis.upTo(1000)); // any point of A's heartbeat cycle
              long killed = System.nanoTime();
              a.close(); // SIGKILL: no stop grace
              client.destroyForcibly();
              nanos[i] = awaitStatus(throughB, id, "disconnected", Duration.ofSeconds(60)) - killed;
            } finally {
              client.destroyForcibly().waitFor();
            }
          }
          System.out.printf(Locale.ROOT, "  server kill -9 trial %d: %d ms%n", i + 1, nanos[i] / 1_000_000);
        }
      } finally {
        throughB.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
    return nanos;
  }

  /** A server process on {@code store}, on a free port, killed at once when closed. */
  private ServerProcess serverOn(String store) throws IOException, InterruptedException {
    int port = FreePort.onLoopback();
    return ServerProcess.command("server",
            List.of(javaBin("java"), "-Xmx512m", "-jar", serverJar.toString(),
                "--host", "127.0.0.1", "--port", Integer.toString(port), "--store", store),
            port)
        .readyWhenPrinting("Server is starting on port")
        .startTimeout(Duration.ofSeconds(60))
        .stopGrace(Duration.ZERO)
        .start();
  }

  /** A {@code present} client process for {@code id}, once it says it is connected. */
  private Process presentClient(String id, int port) throws IOException {
    Process client =
        new ProcessBuilder(javaBin("java"), "-XX:TieredStopAtLevel=1", "-jar", clientJar.toString(),
                "present", "--id", id, "--target", "127.0.0.1:" + port)
            .redirectErrorStream(true)
            .start();
    BufferedReader lines =
        new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
    for (String line; (line = lines.readLine()) != null; ) {
      if (line.startsWith("Connected as")) {
        break;
      }
    }
    return client;
  }

  private long[] silentTrials(int port, ManagedChannel reader) throws Exception {
    long[] nanos = new long[silentTrials];
    ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor();
    try {
      for (int i = 0; i < silentTrials; i++) {
        String id = "silent_" + i;
        try (TcpProxy proxy = new TcpProxy(port)) {
          ManagedChannel channel = channel(proxy.port());
          CountDownLatch connected = new CountDownLatch(1);
          var session =
              new GrpcSessionClient(channel, "proxy", retries)
              .hold(
                  ClientId.of(id),
                  new SessionListener() {
                    @Override
                    public void connected() {
                      connected.countDown();
                    }

                    @Override
                    public void ended(SessionEnd reason) {}

                    @Override
                    public void failed(Throwable failure) {}
                  });
          if (!connected.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("session " + id + " did not connect");
          }
          Thread.sleep(ThreadLocalRandomMillis.upTo(1000)); // freeze at any point of the ping cycle
          long frozen = System.nanoTime();
          proxy.freeze();
          nanos[i] = awaitStatus(reader, id, "disconnected", Duration.ofSeconds(30)) - frozen;
          session.drop();
          channel.shutdownNow();
          System.out.printf(Locale.ROOT, "  silent trial %d: %d ms%n", i + 1, nanos[i] / 1_000_000);
        }
      }
    } finally {
      retries.shutdownNow();
    }
    return nanos;
  }

  private void manySessions(ServerProcess server, int port) throws Exception {
    LoadSettings load = AttachedCallsCost.sendLoad(port, concurrency, duration);
    LoadResult without = LoadRun.run(load);
    long heapBefore = liveHeap(server.pid());

    List<ManagedChannel> channels = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      channels.add(channel(port));
    }
    CountDownLatch connected = new CountDownLatch(sessions);
    AtomicLong failures = new AtomicLong();
    AtomicReference<String> firstFailure = new AtomicReference<>();
    List<StreamObserver<ConnectRequest>> held = new ArrayList<>(sessions);
    long opening = System.nanoTime();
    // Opened a few thousand at a time, as clients arrive in life: a burst of 100,000 at once would
    // starve this process's event loops of the time to answer the server's keepalive pings.
    Semaphore pending = new Semaphore(OPENING_AT_ONCE);
    for (int i = 0; i < sessions; i++) {
      pending.acquire();
      StreamObserver<ConnectRequest> call =
          ClientServiceGrpc.newStub(channels.get(i % connections))
              .connect(
                  new StreamObserver<>() {
                    @Override
                    public void onNext(ConnectEvent event) {
                      if (event.getKind() == ConnectEvent.Kind.CONNECTED) {
                        connected.countDown();
                        pending.release();
                      }
                    }

                    @Override
                    public void onError(Throwable t) {
                      failures.incrementAndGet();
                      firstFailure.compareAndSet(null, t.toString());
                      connected.countDown();
                      pending.release();
                    }

                    @Override
                    public void onCompleted() {}
                  });
      call.onNext(ConnectRequest.newBuilder().setClientId(String.format(Locale.ROOT, "held_%07d", i)).build());
      held.add(call);
    }
    if (!connected.await(5, TimeUnit.MINUTES)) {
      throw new IllegalStateException(connected.getCount() + " sessions did not connect");
    }
    double openSeconds = (System.nanoTime() - opening) / 1e9;
    if (failures.get() > 0) {
      throw new IllegalStateException(failures.get() + " sessions failed, first: " + firstFailure.get());
    }
    long heapWith = liveHeap(server.pid());

    Duration cpuBefore = cpu(server.pid());
    long idleStart = System.nanoTime();
    Thread.sleep(duration.toMillis());
    double idleCores =
        (cpu(server.pid()).minus(cpuBefore).toNanos()) / (double) (System.nanoTime() - idleStart);

    LoadResult with = LoadRun.run(load);

    // The anchor again, once the sessions are gone (see AttachedCallsCost).
    for (StreamObserver<ConnectRequest> call : held) {
      call.onCompleted();
    }
    Thread.sleep(3_000);
    LoadResult withoutAgain = LoadRun.run(load);

    System.out.println();
    System.out.printf(Locale.ROOT, "%,d sessions over %d connections: all connected in %.1f s%n",
        sessions, connections, openSeconds);
    System.out.printf(Locale.ROOT, "server live heap: %,d bytes without sessions, %,d with them: %,.0f bytes per session%n",
        heapBefore, heapWith, (heapWith - heapBefore) / (double) sessions);
    System.out.printf(Locale.ROOT, "server CPU while the sessions sit idle (keepalive only): %.3f cores over %s%n",
        idleCores, Durations.format(duration));
    AttachedCallsCost.print(concurrency, "sessions", "held", sessions, without, with, withoutAgain);
    for (ManagedChannel channel : channels) {
      channel.shutdownNow();
    }
  }

  /** Live bytes on the server's heap after a full GC, as {@code jcmd GC.class_histogram} counts them. */
  static long liveHeap(long pid) throws IOException, InterruptedException {
    Process jcmd =
        new ProcessBuilder(javaBin("jcmd"), Long.toString(pid), "GC.class_histogram")
            .redirectErrorStream(true)
            .start();
    String total = null;
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(jcmd.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = lines.readLine()) != null; ) {
        if (line.trim().startsWith("Total")) {
          total = line.trim();
        }
      }
    }
    jcmd.waitFor();
    if (total == null) {
      throw new IllegalStateException("jcmd printed no Total line for pid " + pid);
    }
    String[] words = total.split("\\s+");
    return Long.parseLong(words[2]);
  }

  private static Duration cpu(long pid) {
    return ProcessHandle.of(pid)
        .flatMap(handle -> handle.info().totalCpuDuration())
        .orElseThrow(() -> new IllegalStateException("no CPU time for pid " + pid));
  }

  private static long awaitStatus(ManagedChannel channel, String id, String wanted, Duration within)
      throws InterruptedException {
    ClientServiceGrpc.ClientServiceBlockingStub stub = ClientServiceGrpc.newBlockingStub(channel);
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      String status =
          stub.withDeadlineAfter(5, TimeUnit.SECONDS)
              .getClientStatus(ClientStatusRequest.newBuilder().setClientId(id).build())
              .getStatusesOrDefault(id, "");
      if (status.equals(wanted)) {
        return System.nanoTime();
      }
      Thread.sleep(5);
    }
    throw new IllegalStateException(id + " was not " + wanted + " within " + within);
  }

  private static void report(String what, long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    System.out.printf(Locale.ROOT, "%s, %d trials: p50 %d ms, p99 %d ms, max %d ms%n", what,
        sorted.length, percentile(sorted, 50) / 1_000_000, percentile(sorted, 99) / 1_000_000,
        sorted[sorted.length - 1] / 1_000_000);
  }

  private static long percentile(long[] sorted, double p) {
    int index = (int) Math.ceil(p / 100 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  private static ManagedChannel channel(int port) {
    return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
  }

  static String javaBin(String tool) {
    return Path.of(System.getProperty("java.home"), "bin", tool).toString();
  }

  /** A random pause, so freezes land anywhere in the keepalive cycle. */
  private static final class ThreadLocalRandomMillis {
    static long upTo(long bound) {
      return java.util.concurrent.ThreadLocalRandom.current().nextLong(bound);
    }
  }

  public static void main(String[] args) {
    System.exit(Cli.commandLine(new PresenceBenchmark()).execute(args));
  }
}

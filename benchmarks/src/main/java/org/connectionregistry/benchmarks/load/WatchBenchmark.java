package org.connectionregistry.benchmarks.load;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.connectionregistry.commandline.DurationConverter;
import org.connectionregistry.proto.ClientServiceGrpc;
import org.connectionregistry.proto.CountClientsRequest;
import org.connectionregistry.proto.MessageRequest;
import org.connectionregistry.proto.WatchRequest;
import org.connectionregistry.proto.WatchResponse;
import org.connectionregistry.testsupport.FreePort;
import org.connectionregistry.testsupport.ServerProcess;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Watch, measured in one run against the server jar (memory store, default watch options):
 *
 * <ol>
 *   <li>latency: one watcher follows the registry while SendMessage calls are made one after
 *       another; for each, the time from the call's acknowledgement to the watcher receiving its
 *       change (p50/p99/max; a change that arrives before the acknowledgement counts as 0);
 *   <li>many watchers: the server's live heap (after a full GC) before and with {@code
 *       --watchers} watchers attached, per watcher; SendMessage throughput with them attached
 *       (each change reaches every one of them) against the same run without them, before and
 *       after (the anchor is the mean of the two).
 * </ol>
 *
 * <p>Across two servers on one Redis: {@code --store redis://HOST:PORT} starts both servers on
 * that store ({@code --servers 2}); the latency is then measured with the watcher on the second
 * server and the sends on the first. It needs a store whose feed crosses servers.
 */
@Command(
    name = "watch-benchmark",
    mixinStandardHelpOptions = true,
    description = "Times how fast an acknowledged change reaches a watcher, and what many "
        + "watchers cost a server.")
public final class WatchBenchmark implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--server-jar", defaultValue = "bootstrap/target/connection-server.jar")
  Path serverJar;

  @Option(names = "--store", defaultValue = "memory", description = "the servers' --store (default: ${DEFAULT-VALUE}).")
  String store;

  @Option(names = "--servers", defaultValue = "1",
      description = "servers on the store; 2 puts the watcher on the second (default: ${DEFAULT-VALUE}).")
  int servers;

  @Option(names = "--latency-samples", defaultValue = "5000", description = "measured changes (default: ${DEFAULT-VALUE}).")
  int samples;

  @Option(names = "--latency-warmup", defaultValue = "2000", description = "changes before measuring (default: ${DEFAULT-VALUE}).")
  int warmupSamples;

  @Option(names = "--watchers", defaultValue = "10000", description = "watchers attached at once (default: ${DEFAULT-VALUE}).")
  int watchers;

  @Option(names = "--watcher-connections", defaultValue = "100",
      description = "connections that carry them (default: ${DEFAULT-VALUE}).")
  int watcherConnections;

  @Option(names = "--duration", defaultValue = "10s", converter = DurationConverter.class,
      description = "each SendMessage load run (default: ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(names = "--concurrency", defaultValue = "64", description = "SendMessage calls in flight (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(names = "--server-heap", defaultValue = "2g", description = "the servers' -Xmx (default: ${DEFAULT-VALUE}).")
  String serverHeap;

  @Override
  public Integer call() throws Exception {
    if (servers < 1 || servers > 2) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--servers must be 1 or 2");
    }
    List<ServerProcess> started = new ArrayList<>();
    try {
      for (int i = 0; i < servers; i++) {
        started.add(startServer("server-" + (i + 1)));
      }
      ServerProcess writes = started.get(0);
      ServerProcess watched = started.get(started.size() - 1);
      System.out.printf(Locale.ROOT, "store %s, %d server(s); sends to %s, watcher on %s%n",
          store, servers, writes.target(), watched.target());
      latency(writes.port(), watched.port());
      if (watchers > 0) {
        manyWatchers(writes, watched);
      }
    } finally {
      for (ServerProcess server : started) {
        server.close();
      }
    }
    return 0;
  }

  private ServerProcess startServer(String name) throws Exception {
    int port = FreePort.onLoopback();
    List<String> command =
        List.of(PresenceBenchmark.javaBin("java"), "-Xmx" + serverHeap, "-jar", serverJar.toString(),
            "--host", "127.0.0.1", "--port", Integer.toString(port), "--store", store);
    return ServerProcess.command(name, command, port)
        .readyWhenPrinting("Server is starting on port")
        .startTimeout(Duration.ofSeconds(60))
        .start();
  }

  // ---- Latency ----

  private void latency(int sendPort, int watchPort) throws Exception {
    ManagedChannel sendChannel = channel(sendPort);
    ManagedChannel watchChannel = channel(watchPort);
    Map<String, Long> receivedAt = new ConcurrentHashMap<>();
    CountDownLatch established = new CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
    try {
      long start = currentRevision(watchChannel);
      ClientServiceGrpc.newStub(watchChannel)
          .watch(
              WatchRequest.newBuilder().setAfterRevision(start).build(),
              new StreamObserver<>() {
                @Override
                public void onNext(WatchResponse response) {
                  long now = System.nanoTime();
                  established.countDown();
                  for (var change : response.getChangesList()) {
                    receivedAt.put(change.getClientId(), now);
                  }
                }

                @Override
                public void onError(Throwable t) {
                  if (!done.get()) {
                    System.err.println("the latency watcher failed: " + t);
                  }
                }

                @Override
                public void onCompleted() {}
              });
      if (!established.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the watch was not established");
      }
      var sender = ClientServiceGrpc.newBlockingStub(sendChannel);
      Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
      Histogram fromSend = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
      Histogram roundTrip = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
      long early = 0;
      for (int i = 0; i < warmupSamples + samples; i++) {
        String id = String.format(Locale.ROOT, "latency_%07d", i);
        long sent = System.nanoTime();
        sender.sendMessage(MessageRequest.newBuilder().setClientId(id).setMessage("Hello").build());
        long acknowledged = System.nanoTime();
        long deadline = acknowledged + TimeUnit.SECONDS.toNanos(10);
        Long received;
        while ((received = receivedAt.get(id)) == null) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("change of " + id + " did not reach the watcher in 10 s");
          }
          Thread.onSpinWait();
        }
        if (i >= warmupSamples) {
          long nanos = received - acknowledged;
          if (nanos < 0) {
            early++;
          }
          histogram.recordValue(Math.max(0, nanos));
          fromSend.recordValue(received - sent);
          roundTrip.recordValue(acknowledged - sent);
        }
        receivedAt.remove(id);
      }
      System.out.println();
      System.out.printf(Locale.ROOT,
          "acknowledged SendMessage -> watcher received, %,d changes (after %,d warm-up): p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.3f ms (%d arrived before the acknowledgement)%n",
          samples, warmupSamples,
          histogram.getValueAtPercentile(50) / 1e6,
          histogram.getValueAtPercentile(99) / 1e6,
          histogram.getValueAtPercentile(99.9) / 1e6,
          histogram.getMaxValue() / 1e6,
          early);
      System.out.printf(Locale.ROOT,
          "  for scale: SendMessage sent -> watcher received p50 %.3f ms, p99 %.3f ms; SendMessage sent -> acknowledged (the anchor, same run) p50 %.3f ms, p99 %.3f ms%n",
          fromSend.getValueAtPercentile(50) / 1e6,
          fromSend.getValueAtPercentile(99) / 1e6,
          roundTrip.getValueAtPercentile(50) / 1e6,
          roundTrip.getValueAtPercentile(99) / 1e6);
    } finally {
      done.set(true);
      sendChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      watchChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  // ---- Many watchers ----

  private void manyWatchers(ServerProcess writes, ServerProcess watched) throws Exception {
    LoadSettings load = AttachedCallsCost.sendLoad(writes.port(), concurrency, duration);
    LoadResult without = LoadRun.run(load);
    long heapBefore = PresenceBenchmark.liveHeap(watched.pid());

    List<ManagedChannel> channels = new ArrayList<>();
    for (int c = 0; c < watcherConnections; c++) {
      channels.add(channel(watched.port()));
    }
    CountDownLatch established = new CountDownLatch(watchers);
    AtomicLong failures = new AtomicLong();
    AtomicLong changesReceived = new AtomicLong();
    AtomicReference<String> firstFailure = new AtomicReference<>();
    List<io.grpc.stub.ClientCallStreamObserver<WatchRequest>> calls = new ArrayList<>(watchers);
    long start = currentRevision(channels.get(0));
    Semaphore opening = new Semaphore(2_000);
    long began = System.nanoTime();
    for (int i = 0; i < watchers; i++) {
      opening.acquire();
      ClientServiceGrpc.newStub(channels.get(i % watcherConnections))
          .watch(
              WatchRequest.newBuilder().setAfterRevision(start).build(),
              new io.grpc.stub.ClientResponseObserver<WatchRequest, WatchResponse>() {
                private boolean first = true;

                @Override
                public void beforeStart(io.grpc.stub.ClientCallStreamObserver<WatchRequest> call) {
                  synchronized (calls) {
                    calls.add(call);
                  }
                }

                @Override
                public void onNext(WatchResponse response) {
                  changesReceived.addAndGet(response.getChangesCount());
                  if (first) {
                    first = false;
                    established.countDown();
                    opening.release();
                  }
                }

                @Override
                public void onError(Throwable t) {
                  if (first) {
                    first = false;
                    failures.incrementAndGet();
                    firstFailure.compareAndSet(null, t.toString());
                    established.countDown();
                    opening.release();
                  }
                }

                @Override
                public void onCompleted() {}
              });
    }
    if (!established.await(5, TimeUnit.MINUTES)) {
      throw new IllegalStateException(established.getCount() + " watchers were not established");
    }
    if (failures.get() > 0) {
      throw new IllegalStateException(failures.get() + " watchers failed, first: " + firstFailure.get());
    }
    double openSeconds = (System.nanoTime() - began) / 1e9;
    long heapWith = PresenceBenchmark.liveHeap(watched.pid());

    long receivedBefore = changesReceived.get();
    LoadResult with = LoadRun.run(load);
    long delivered = changesReceived.get() - receivedBefore;

    synchronized (calls) {
      for (var call : calls) {
        call.cancel("the benchmark is done with it", null);
      }
    }
    Thread.sleep(3_000);
    LoadResult withoutAgain = LoadRun.run(load);

    System.out.println();
    System.out.printf(Locale.ROOT, "%,d watchers over %d connections: all established in %.1f s%n",
        watchers, watcherConnections, openSeconds);
    System.out.printf(Locale.ROOT,
        "server live heap: %,d bytes without watchers, %,d with them: %,.0f bytes per watcher%n",
        heapBefore, heapWith, (heapWith - heapBefore) / (double) watchers);
    AttachedCallsCost.print(concurrency, "watchers", "attached", watchers, without, with, withoutAgain);
    System.out.printf(Locale.ROOT,
        "changes delivered to the watchers during the run with them (warm-up included): %,d (%,.0f per second)%n",
        delivered, delivered / (duration.plusSeconds(5).toNanos() / 1e9));
    for (ManagedChannel channel : channels) {
      channel.shutdownNow();
    }
  }

  private static long currentRevision(ManagedChannel channel) {
    return ClientServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .countClients(CountClientsRequest.getDefaultInstance())
        .getRevision();
  }

  private static ManagedChannel channel(int port) {
    return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
  }

  public static void main(String[] args) {
    System.exit(Cli.commandLine(new WatchBenchmark()).execute(args));
  }
}

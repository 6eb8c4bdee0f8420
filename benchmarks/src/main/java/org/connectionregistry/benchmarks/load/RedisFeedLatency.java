package org.connectionregistry.benchmarks.load;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.HdrHistogram.Histogram;
import org.connectionregistry.adapter.store.redis.RedisConnectionRegistry;
import org.connectionregistry.domain.ChangeCursor;
import org.connectionregistry.domain.ClientChange;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.Stages;
import org.connectionregistry.testsupport.FreePort;
import org.connectionregistry.testsupport.ServerProcess;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * How long a change written through one registry (one server) takes to reach a watcher's cursor
 * on another registry on the same Redis: two {@link RedisConnectionRegistry} objects in this
 * process, one writing one change at a time, the other's cursor woken by its feed. Prints p50,
 * p90, p99 and the maximum, from the start of the write and from its acknowledgement.
 */
@Command(
    name = "redis-feed-latency",
    mixinStandardHelpOptions = true,
    description = "Times a change from a write through one Redis registry to a cursor on another.")
public final class RedisFeedLatency implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--uri", description = "redis:// or redis-cluster:// to use; default: start a redis-server of our own.")
  String uri;

  @Option(names = "--redis-server", defaultValue = "redis-server", description = "The redis-server binary (default: ${DEFAULT-VALUE}).")
  String redisServer;

  @Option(names = "--changes", defaultValue = "5000", description = "Changes measured (default: ${DEFAULT-VALUE}).")
  int changes;

  @Option(names = "--warmup", defaultValue = "2000", description = "Changes before measuring (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--pause-micros", defaultValue = "500", description = "Pause between changes (default: ${DEFAULT-VALUE}).")
  long pauseMicros;

  public static void main(String[] args) {
    System.exit(new CommandLine(new RedisFeedLatency()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    ServerProcess redis = null;
    Path dir = null;
    try {
      String target = uri;
      if (target == null) {
        dir = Files.createTempDirectory("feed-latency");
        int port = FreePort.onLoopback();
        redis =
            ServerProcess.command("redis", List.of(redisServer, "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--dir", dir.toString()), port)
                .readyWhenPrinting("Ready to accept connections")
                .startTimeout(Duration.ofSeconds(30))
                .start();
        target = "redis://127.0.0.1:" + port;
      }
      try (RedisConnectionRegistry writer = open(target);
          RedisConnectionRegistry watcher = open(target)) {
        Histogram fromWrite = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        Histogram fromAck = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        run(writer, watcher, warmup, "warm", null, null);
        run(writer, watcher, changes, "lat", fromWrite, fromAck);
        out.printf("store: %s; %d changes, one at a time, %d µs apart%n", target, changes, pauseMicros);
        out.printf("%-28s %9s %9s %9s %9s%n", "write -> other server's cursor", "p50 ms", "p90 ms", "p99 ms", "max ms");
        print(out, "from the write's start", fromWrite);
        print(out, "from the write's ack", fromAck);
        out.flush();
      }
      return 0;
    } finally {
      if (redis != null) {
        redis.close();
      }
      if (dir != null) {
        try (var files = Files.walk(dir)) {
          files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  private static RedisConnectionRegistry open(String target) {
    return target.startsWith("redis-cluster://")
        ? RedisConnectionRegistry.connectCluster(target)
        : RedisConnectionRegistry.connect(target);
  }

  private void run(
      RedisConnectionRegistry writer, RedisConnectionRegistry watcher, int count, String prefix,
      Histogram fromWrite, Histogram fromAck) throws Exception {
    String run = prefix + System.nanoTime() + "-";
    Map<String, AtomicLongArray> sent = new ConcurrentHashMap<>();
    Semaphore woken = new Semaphore(0);
    List<Long> received = new ArrayList<>();
    long after = watcher.changes().latestRevision();
    Thread reader;
    try (ChangeCursor cursor = watcher.changes().openAfter(Math.max(after, Stages.await(writer.counts()).revision()), woken::release)) {
      reader = new Thread(() -> {
        int seen = 0;
        while (seen < count) {
          List<ClientChange> read = cursor.poll(1000);
          long now = System.nanoTime();
          for (ClientChange change : read) {
            AtomicLongArray times = sent.get(change.clientId().value());
            if (times == null) {
              continue;
            }
            seen++;
            while (times.get(1) == 0) {
              Thread.onSpinWait(); // the ack is on its way back
            }
            if (fromWrite != null) {
              fromWrite.recordValue(now - times.get(0));
              fromAck.recordValue(Math.max(0, now - times.get(1)));
            }
            received.add(change.revision());
          }
          if (read.isEmpty()) {
            try {
              woken.tryAcquire(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
              return;
            }
          }
        }
      }, "feed-latency-reader");
      reader.start();
      for (int i = 0; i < count; i++) {
        String id = run + i;
        AtomicLongArray times = new AtomicLongArray(2);
        sent.put(id, times);
        times.set(0, System.nanoTime());
        Stages.await(writer.record(ClientId.of(id), ConnectionStatus.CONNECTED));
        times.set(1, System.nanoTime());
        long until = System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(pauseMicros);
        while (System.nanoTime() < until) {
          Thread.onSpinWait();
        }
      }
      reader.join(TimeUnit.SECONDS.toMillis(30));
    }
    if (received.size() < count) {
      throw new IllegalStateException("only " + received.size() + " of " + count + " changes reached the other registry");
    }
  }

  private static void print(PrintWriter out, String what, Histogram histogram) {
    out.printf("%-28s %9.3f %9.3f %9.3f %9.3f%n", what,
        histogram.getValueAtPercentile(50) / 1e6, histogram.getValueAtPercentile(90) / 1e6,
        histogram.getValueAtPercentile(99) / 1e6, histogram.getMaxValue() / 1e6);
  }
}

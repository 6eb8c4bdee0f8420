package org.connectionregistry.adapter.store.redis;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import org.connectionregistry.adapter.store.redis.testing.RedisServer;
import org.connectionregistry.domain.ChangeCursor;
import org.connectionregistry.domain.ClientChange;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.Stages;

/**
 * Not a test: a probe that prints how long a change written through one registry (one server)
 * takes to reach a cursor on another registry on the same Redis, at the store's level (no gRPC).
 * Two {@link RedisConnectionRegistry} objects in this process; one writes one change at a time,
 * the other's cursor is woken by its feed. Prints p50, p90, p99 and the maximum, from the start
 * of each write and from its acknowledgement. The benchmarks module measures only the packaged
 * server (an architecture rule), so the end-to-end figure (SendMessage to a Watch on another
 * server) belongs there, once the Watch RPC is served; this one isolates the store's share.
 *
 * <p>Run from the module's test classpath:
 * {@code java -cp <test classpath> org.connectionregistry.adapter.store.redis.FeedLatencyProbe
 * [redis://...|redis-cluster://...] [changes]}; without a URI it starts a redis-server of its own.
 */
public final class FeedLatencyProbe {

  private FeedLatencyProbe() {}

  public static void main(String[] args) throws Exception {
    String uri = args.length > 0 && !args[0].isEmpty() ? args[0] : null;
    int changes = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
    RedisServer own = uri == null ? RedisServer.start() : null;
    String target = uri != null ? uri : own.uri();
    try (RedisConnectionRegistry writer = open(target);
        RedisConnectionRegistry watcher = open(target)) {
      run(writer, watcher, 2000, null, null); // warm-up
      long[] fromWrite = new long[changes];
      long[] fromAck = new long[changes];
      run(writer, watcher, changes, fromWrite, fromAck);
      System.out.printf("store: %s; %d changes, one at a time, 0.5 ms apart%n", target, changes);
      System.out.printf("%-32s %8s %8s %8s %8s%n", "write -> other registry's cursor", "p50 ms", "p90 ms", "p99 ms", "max ms");
      print("from the write's start", fromWrite);
      print("from the write's acknowledgement", fromAck);
    } finally {
      if (own != null) {
        own.close();
      }
    }
    System.exit(0);
  }

  private static RedisConnectionRegistry open(String target) {
    return target.startsWith("redis-cluster://")
        ? RedisConnectionRegistry.connectCluster(target)
        : RedisConnectionRegistry.connect(target);
  }

  private static void run(
      RedisConnectionRegistry writer, RedisConnectionRegistry watcher, int count, long[] fromWrite, long[] fromAck)
      throws Exception {
    String prefix = "probe" + System.nanoTime() + "-";
    Map<String, Integer> index = new ConcurrentHashMap<>();
    AtomicLongArray started = new AtomicLongArray(count);
    AtomicLongArray acked = new AtomicLongArray(count);
    Semaphore woken = new Semaphore(0);
    AtomicInteger seen = new AtomicInteger();
    long after = Stages.await(writer.counts()).revision();
    try (ChangeCursor cursor = watcher.changes().openAfter(after, woken::release)) {
      Thread reader = new Thread(() -> {
        while (seen.get() < count) {
          List<ClientChange> read = cursor.poll(1000);
          long now = System.nanoTime();
          for (ClientChange change : read) {
            Integer i = index.get(change.clientId().value());
            if (i == null) {
              continue;
            }
            while (acked.get(i) == 0) {
              Thread.onSpinWait(); // the acknowledgement is on its way back
            }
            if (fromWrite != null) {
              fromWrite[i] = now - started.get(i);
              fromAck[i] = Math.max(0, now - acked.get(i));
            }
            seen.incrementAndGet();
          }
          if (read.isEmpty()) {
            try {
              woken.tryAcquire(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
              return;
            }
          }
        }
      }, "probe-reader");
      reader.start();
      for (int i = 0; i < count; i++) {
        String id = prefix + i;
        index.put(id, i);
        started.set(i, System.nanoTime());
        Stages.await(writer.record(ClientId.of(id), ConnectionStatus.CONNECTED));
        acked.set(i, System.nanoTime());
        long until = System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(500);
        while (System.nanoTime() < until) {
          Thread.onSpinWait();
        }
      }
      reader.join(TimeUnit.SECONDS.toMillis(30));
    }
    if (seen.get() < count) {
      throw new IllegalStateException("only " + seen.get() + " of " + count + " changes reached the other registry");
    }
  }

  private static void print(String what, long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    System.out.printf("%-32s %8.3f %8.3f %8.3f %8.3f%n", what, at(sorted, 0.50), at(sorted, 0.90), at(sorted, 0.99),
        sorted[sorted.length - 1] / 1e6);
  }

  private static double at(long[] sorted, double quantile) {
    return sorted[(int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)] / 1e6;
  }
}

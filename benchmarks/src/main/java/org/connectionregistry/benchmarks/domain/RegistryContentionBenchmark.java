package org.connectionregistry.benchmarks.domain;

import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.InMemoryConnectionRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The registry as the server uses it: many threads recording and reading statuses of many clients
 * at once. Writers alternate Hello and Goodbye over already-registered clients, as real traffic
 * does once clients are known.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RegistryContentionBenchmark {

  /** One registry shared by every thread of a run, filled before it starts. */
  @State(Scope.Benchmark)
  public static class Registry {

    @Param({"100000"})
    public int clients;

    InMemoryConnectionRegistry registry;
    ClientId[] ids;

    @Setup(Level.Trial)
    public void fill() {
      registry = new InMemoryConnectionRegistry();
      ids = new ClientId[clients];
      for (int i = 0; i < clients; i++) {
        ids[i] = new ClientId(String.format("user_%07d", i));
        registry.record(ids[i], ConnectionStatus.CONNECTED);
      }
    }
  }

  /** Each thread walks the clients from its own random start, so threads rarely collide on one. */
  @State(Scope.Thread)
  public static class Cursor {
    private int next;
    private boolean hello;

    @Setup(Level.Trial)
    public void start(Registry shared) {
      next = ThreadLocalRandom.current().nextInt(shared.clients);
    }

    ClientId nextId(Registry shared) {
      next = next + 1 == shared.ids.length ? 0 : next + 1;
      return shared.ids[next];
    }

    ConnectionStatus nextStatus() {
      hello = !hello;
      return hello ? ConnectionStatus.CONNECTED : ConnectionStatus.DISCONNECTED;
    }
  }

  @Benchmark
  @Threads(4)
  public void recordOnly(Registry shared, Cursor cursor) {
    shared.registry.record(cursor.nextId(shared), cursor.nextStatus());
  }

  @Benchmark
  @Threads(4)
  public CompletionStage<Optional<ConnectionStatus>> statusOfOnly(Registry shared, Cursor cursor) {
    return shared.registry.statusOf(cursor.nextId(shared));
  }

  /** One writer against three readers: the mix of a server that is asked more than it is told. */
  @Benchmark
  @Group("mixed")
  @GroupThreads(1)
  public void mixedRecord(Registry shared, Cursor cursor) {
    shared.registry.record(cursor.nextId(shared), cursor.nextStatus());
  }

  @Benchmark
  @Group("mixed")
  @GroupThreads(3)
  public CompletionStage<Optional<ConnectionStatus>> mixedStatusOf(Registry shared, Cursor cursor) {
    return shared.registry.statusOf(cursor.nextId(shared));
  }

  /** Every thread hammers the same client: the worst case for a map's per-key contention. */
  @Benchmark
  @Threads(4)
  public void recordSameClient(Registry shared, Cursor cursor) {
    shared.registry.record(shared.ids[0], cursor.nextStatus());
  }
}

package org.connectionregistry.benchmarks.domain;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.InMemoryConnectionRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Reading one page of 1000 clients, as "all clients" does page by page. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RegistryListBenchmark {

  private static final int PAGE = 1000;

  @Param({"100000"})
  public int clients;

  private InMemoryConnectionRegistry registry;
  private ClientId[] ids;

  @Setup(Level.Trial)
  public void fill() {
    registry = new InMemoryConnectionRegistry();
    ids = new ClientId[clients];
    for (int i = 0; i < clients; i++) {
      ids[i] = new ClientId(String.format("user_%07d", i));
      ConnectionStatus status =
          i % 2 == 0 ? ConnectionStatus.CONNECTED : ConnectionStatus.DISCONNECTED;
      registry.record(ids[i], status);
    }
  }

  @Benchmark
  public CompletionStage<List<ClientConnection>> firstPage() {
    return registry.list(Optional.empty(), PAGE);
  }

  /** A page that starts anywhere: the keyset seek plus the walk. */
  @Benchmark
  public CompletionStage<List<ClientConnection>> pageAfterRandomClient() {
    ClientId after = ids[ThreadLocalRandom.current().nextInt(ids.length - PAGE)];
    return registry.list(Optional.of(after), PAGE);
  }
}

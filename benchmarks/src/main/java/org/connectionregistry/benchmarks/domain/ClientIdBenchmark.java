package org.connectionregistry.benchmarks.domain;

import java.util.concurrent.TimeUnit;
import org.connectionregistry.domain.ClientId;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** What validating a client ID costs on every call: short, longest allowed and non-Latin IDs. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ClientIdBenchmark {

  @Param({"typical", "longest", "non-latin"})
  public String kind;

  private String value;

  @Setup
  public void chooseValue() {
    value =
        switch (kind) {
          case "typical" -> "user_0000001";
          case "longest" -> "u".repeat(ClientId.MAX_LENGTH - 4) + "_001";
          case "non-latin" -> "użytkownik_żółw_クライアント";
          default -> throw new IllegalArgumentException("Unknown kind: " + kind);
        };
  }

  @Benchmark
  public ClientId construct() {
    return new ClientId(value);
  }
}

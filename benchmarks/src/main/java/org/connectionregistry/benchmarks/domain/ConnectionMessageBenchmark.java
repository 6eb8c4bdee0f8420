package org.connectionregistry.benchmarks.domain;

import java.util.concurrent.TimeUnit;
import org.connectionregistry.domain.ConnectionMessage;
import org.connectionregistry.domain.InvalidMessageException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** What reading a message costs on every SendMessage: the spellings clients really send. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ConnectionMessageBenchmark {

  /** The spellings of valid messages; a state of its own so the invalid case is run once. */
  @State(Scope.Benchmark)
  public static class ValidMessage {
    @Param({"Hello", "goodbye", " HELLO "})
    public String message;
  }

  /** Not final, so that the JIT cannot fold the rejection away. */
  private String invalidMessage = "Howdy";

  @Benchmark
  public ConnectionMessage interpret(ValidMessage valid) {
    return ConnectionMessage.interpret(valid.message);
  }

  /** The rejection path builds an exception; this shows what an abusive client costs. */
  @Benchmark
  public String interpretInvalid() {
    try {
      return ConnectionMessage.interpret(invalidMessage).word();
    } catch (InvalidMessageException e) {
      return e.getMessage();
    }
  }
}

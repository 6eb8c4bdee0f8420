package org.connectionregistry.benchmarks.load;

import java.time.Duration;
import java.util.Locale;

/**
 * What many long-lived calls attached to a server (watchers, held sessions) cost its SendMessage
 * throughput, as WatchBenchmark and PresenceBenchmark both measure it: the same load without
 * them before, with them, and without them again after, so that warming up (or a neighbour's load
 * on the machine) does not pass for their cost; the anchor is the mean of the two runs without.
 */
final class AttachedCallsCost {

  private AttachedCallsCost() {}

  /** The SendMessage load run each time: 4 connections, 5 s of warm-up, 1,000 client IDs. */
  static LoadSettings sendLoad(int port, int concurrency, Duration duration) {
    return new LoadSettings("127.0.0.1", port, Rpc.SEND, concurrency, 4, Duration.ofSeconds(5), duration, 1000);
  }

  /**
   * Prints the three runs and the with/without ratio, e.g. {@code without watchers (before), ...
   * with 10,000 attached}: {@code calls} names the attached calls, {@code how} how they are there.
   */
  static void print(
      int concurrency, String calls, String how, int count, LoadResult without, LoadResult with,
      LoadResult withoutAgain) {
    double anchor = (without.throughput() + withoutAgain.throughput()) / 2;
    System.out.printf(Locale.ROOT,
        "SendMessage, %d in flight: %,.0f calls/s without " + calls + " (before), %,.0f with %,d " + how
            + ", %,.0f without (after): with/without %.3f (p99 %.0f us with, %.0f and %.0f us without)%n",
        concurrency, without.throughput(), with.throughput(), count, withoutAgain.throughput(),
        with.throughput() / anchor, with.percentileMicros(99), without.percentileMicros(99),
        withoutAgain.percentileMicros(99));
  }
}

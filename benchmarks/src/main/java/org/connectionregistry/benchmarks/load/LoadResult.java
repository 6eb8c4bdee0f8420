package org.connectionregistry.benchmarks.load;

import java.util.List;
import java.util.Optional;
import org.HdrHistogram.Histogram;

/**
 * What a load run measured: the latency of every successful call completed in the measured
 * window, the errors in it, and how long the window was.
 *
 * @param latencyNanos latencies of successful calls, in nanoseconds
 * @param firstError the first failure seen (warm-up included), as {@code CODE: description}
 */
public record LoadResult(
    LoadSettings settings,
    Histogram latencyNanos,
    long errors,
    long measuredNanos,
    Optional<String> firstError) {

  public long calls() {
    return latencyNanos.getTotalCount();
  }

  public double throughput() {
    return calls() * 1e9 / measuredNanos;
  }

  /** A percentile of latency in microseconds, e.g. {@code percentileMicros(99.9)}. */
  public double percentileMicros(double percentile) {
    return latencyNanos.getValueAtPercentile(percentile) / 1000.0;
  }

  /** Adds another run of the same settings: its calls, errors and measured time. */
  public LoadResult plus(LoadResult other) {
    Histogram sum = latencyNanos.copy();
    sum.add(other.latencyNanos);
    return new LoadResult(
        settings,
        sum,
        errors + other.errors,
        measuredNanos + other.measuredNanos,
        firstError.or(other::firstError));
  }

  /** The report {@code LoadGenerator} prints, one fact per line. */
  public List<String> reportLines() {
    List<String> lines =
        new java.util.ArrayList<>(
            List.of(
                "Run:           " + settings.describe(),
                "Calls:         " + calls(),
                "Errors:        " + errors,
                String.format("Throughput:    %.0f calls/s", throughput()),
                String.format("Latency p50:   %.1f us", percentileMicros(50)),
                String.format("Latency p99:   %.1f us", percentileMicros(99)),
                String.format("Latency p99.9: %.1f us", percentileMicros(99.9)),
                String.format("Latency max:   %.1f us", latencyNanos.getMaxValue() / 1000.0)));
    firstError.ifPresent(error -> lines.add("First error:   " + error));
    return lines;
  }
}

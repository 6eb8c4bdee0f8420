package org.connectionregistry.benchmarks.load;

import java.util.Arrays;

/** The times of several runs of one measurement, and what the tables quote of them. */
record RunTimes(long[] nanos) {

  RunTimes {
    if (nanos.length == 0) {
      throw new IllegalArgumentException("no runs");
    }
    nanos = nanos.clone();
    Arrays.sort(nanos);
  }

  long bestNanos() {
    return nanos[0];
  }

  /** The middle run (the upper one of the two middle runs of an even count). */
  long medianNanos() {
    return nanos[nanos.length / 2];
  }

  /** Nanoseconds as whole milliseconds: {@code 188 ms}. */
  static String millis(long nanos) {
    return String.format("%.0f ms", nanos / 1e6);
  }
}

package org.connectionregistry.benchmarks.load;

import static org.connectionregistry.benchmarks.load.RunTimes.millis;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Times ways of listing every client, run after run, and prints each run, then the best and the
 * median against the target. A listing is complete when every run listed every client.
 */
final class ListingTimer {

  /** What a user should wait at most for "all clients". */
  static final Duration TARGET = Duration.ofSeconds(1);

  private final PrintWriter out;
  private final long clients;
  private final int warmupRuns;
  private final Duration warmupTime;
  private final int runs;

  /** The measured runs of one way of listing, and whether every one of them listed every client. */
  record Timing(RunTimes times, boolean complete) {}

  /**
   * @param clients how many clients every run must list
   * @param warmupRuns unmeasured runs first, of each method
   * @param runs measured runs of each method
   */
  ListingTimer(PrintWriter out, long clients, int warmupRuns, int runs) {
    this(out, clients, warmupRuns, Duration.ZERO, runs);
  }

  /**
   * @param warmupTime the unmeasured runs go on until this much time has passed, after at least
   *     {@code warmupRuns} of them: a fixed count of short listings leaves the JIT unfinished
   */
  ListingTimer(PrintWriter out, long clients, int warmupRuns, Duration warmupTime, int runs) {
    if (runs < 1 || warmupRuns < 0 || warmupTime.isNegative()) {
      throw new IllegalArgumentException(
          "runs must be positive, warm-up runs and time not negative");
    }
    this.out = out;
    this.clients = clients;
    this.warmupRuns = warmupRuns;
    this.warmupTime = warmupTime;
    this.runs = runs;
  }

  /** Times one way of listing, printing every run and the summary. */
  Timing time(ListingMethod method) {
    String name = method.name();
    long warmupStart = System.nanoTime();
    int warmedUp = 0;
    while (warmedUp < warmupRuns || System.nanoTime() - warmupStart < warmupTime.toNanos()) {
      method.listAll().getAsLong();
      warmedUp++;
    }
    if (!warmupTime.isZero()) {
      out.printf("%-32s warm-up: %d listings in %s%n",
          name, warmedUp, millis(System.nanoTime() - warmupStart));
    }
    long[] nanos = new long[runs];
    boolean complete = true;
    for (int i = 0; i < runs; i++) {
      long start = System.nanoTime();
      long listed = method.listAll().getAsLong();
      nanos[i] = System.nanoTime() - start;
      complete &= listed == clients;
      out.printf("%-32s run %d/%d: %,d clients in %s%n",
          name, i + 1, runs, listed, millis(nanos[i]));
      out.flush();
    }
    RunTimes times = new RunTimes(nanos);
    out.printf("%-32s best %s, median %s (target: under %s)%s%n",
        name, millis(times.bestNanos()), millis(times.medianNanos()), millis(TARGET.toNanos()),
        complete ? "" : " INCOMPLETE: some runs did not list every client");
    out.flush();
    return new Timing(times, complete);
  }

  /**
   * The console client jar as a process, run after run: the user takes {@code typing} to choose
   * "all clients"; timed from Enter to its first and last line, and from "3" to the exit. True if
   * every run printed every client.
   */
  boolean timeConsoleProcess(Path clientJar, String serverTarget, Duration typing)
      throws IOException, InterruptedException {
    String name = "connection-client.jar process";
    long[] lastLines = new long[runs];
    boolean complete = true;
    for (int i = 0; i < runs; i++) {
      ConsoleClientProcess.Timings run = ConsoleClientProcess.listAll(clientJar, serverTarget, typing);
      lastLines[i] = run.lastLineNanos();
      complete &= run.lines() == clients;
      out.printf("%-32s run %d/%d: %,d lines; from Enter, first %s, last %s; exit %s%n",
          name, i + 1, runs, run.lines(), millis(run.firstLineNanos()),
          millis(run.lastLineNanos()), millis(run.exitNanos()));
      out.flush();
    }
    RunTimes times = new RunTimes(lastLines);
    out.printf("%-32s best %s, median %s from Enter to the last line (target: under %s)%s%n",
        name, millis(times.bestNanos()), millis(times.medianNanos()), millis(TARGET.toNanos()),
        complete ? "" : " INCOMPLETE: some runs did not print every client");
    out.flush();
    return complete;
  }
}

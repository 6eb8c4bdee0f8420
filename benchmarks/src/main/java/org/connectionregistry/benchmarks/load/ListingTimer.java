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
  private final int runs;

  /**
   * @param clients how many clients every run must list
   * @param warmupRuns unmeasured runs first, of each method
   * @param runs measured runs of each method
   */
  ListingTimer(PrintWriter out, long clients, int warmupRuns, int runs) {
    this.out = out;
    this.clients = clients;
    this.warmupRuns = warmupRuns;
    this.runs = runs;
  }

  /** Times one way of listing; true if every run listed every client. */
  boolean time(ListingMethod method) {
    String name = method.name();
    for (int i = 0; i < warmupRuns; i++) {
      method.listAll().getAsLong();
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
    return complete;
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

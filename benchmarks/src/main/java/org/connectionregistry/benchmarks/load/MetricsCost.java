package org.connectionregistry.benchmarks.load;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What metrics cost: the same SendMessage load against two servers at the same time, one started
 * without metrics and one with {@code --metrics-port}, in rounds. Both loads run side by side, so
 * whatever else the machine does meanwhile slows both alike, and the ratio of their throughputs is
 * the cost of the metrics alone (a server whose calls cost more CPU gets fewer of them done).
 */
@Command(
    name = "metrics-cost",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Drives the same SendMessage load against a server without metrics (--off) and one with",
      "metrics (--on) at the same time, and prints both throughputs and their ratio per round."
    })
public final class MetricsCost implements Callable<Integer> {

  static final double TARGET = 0.95;

  @Spec CommandSpec spec;

  @Option(names = "--off", required = true, description = "HOST:PORT of the server without metrics.")
  String off;

  @Option(names = "--on", required = true, description = "HOST:PORT of the server with metrics.")
  String on;

  @Option(
      names = "--concurrency",
      defaultValue = "64",
      description = "Calls in flight against each server (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(
      names = "--rounds",
      defaultValue = "5",
      description = "Rounds; each round loads both servers at once (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(
      names = "--seconds",
      defaultValue = "10",
      description = "Measured seconds per round (default: ${DEFAULT-VALUE}).")
  int seconds;

  @Option(
      names = "--warmup-seconds",
      defaultValue = "3",
      description = "Unmeasured seconds before each round (default: ${DEFAULT-VALUE}).")
  int warmupSeconds;

  @Option(
      names = "--clients",
      defaultValue = "1000",
      description = "Distinct client IDs the calls are spread over (default: ${DEFAULT-VALUE}).")
  int clients;

  @Option(
      names = "--off-pid",
      description = "Process ID of the --off server: with --on-pid, the report adds the CPU time "
          + "each server spent per call, which a busy machine disturbs far less than throughput.")
  Long offPid;

  @Option(names = "--on-pid", description = "Process ID of the --on server (see --off-pid).")
  Long onPid;

  @Option(
      names = "--scrape",
      description = "Metrics URL of the --on server to fetch every second meanwhile, as Prometheus "
          + "would, so that scrapes are in the figure too (default: none).")
  URI scrape;

  @Override
  public Integer call() throws InterruptedException, ExecutionException {
    PrintWriter out = spec.commandLine().getOut();
    ScheduledExecutorService scraper = Executors.newSingleThreadScheduledExecutor(
        task -> {
          Thread thread = new Thread(task, "scraper");
          thread.setDaemon(true);
          return thread;
        });
    try {
      if (scrape != null) {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(scrape).build();
        scraper.scheduleWithFixedDelay(
            () -> {
              try {
                http.send(request, HttpResponse.BodyHandlers.discarding());
              } catch (IOException e) {
                // The next scrape tries again, as Prometheus would.
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            0, 1, TimeUnit.SECONDS);
      }
      return measure(out);
    } finally {
      scraper.shutdownNow();
    }
  }

  private int measure(PrintWriter out) throws InterruptedException, ExecutionException {
    LoadSettings offLoad = settings(off);
    LoadSettings onLoad = settings(on);
    List<Double> ratios = new ArrayList<>();
    LoadResult offTotal = null;
    LoadResult onTotal = null;
    boolean clean = true;
    long offCpuNanos = 0;
    long onCpuNanos = 0;
    long offCpuCalls = 0;
    long onCpuCalls = 0;
    for (int round = 1; round <= rounds; round++) {
      long offCpuBefore = cpuNanos(offPid);
      long onCpuBefore = cpuNanos(onPid);
      CompletableFuture<LoadResult> offRun = start(offLoad);
      CompletableFuture<LoadResult> onRun = start(onLoad);
      LoadResult offResult = offRun.get();
      LoadResult onResult = onRun.get();
      if (offCpuBefore >= 0 && onCpuBefore >= 0) {
        // The whole run, warm-up included, over the calls of the whole run (estimated from the
        // measured rate: the warm-up ran at about the same rate on the same machine).
        double scale = (double) (warmupSeconds + seconds) / seconds;
        offCpuNanos += cpuNanos(offPid) - offCpuBefore;
        onCpuNanos += cpuNanos(onPid) - onCpuBefore;
        offCpuCalls += Math.round(offResult.calls() * scale);
        onCpuCalls += Math.round(onResult.calls() * scale);
      }
      double ratio = onResult.throughput() / offResult.throughput();
      if (offResult.calls() == 0 || onResult.calls() == 0) {
        // A machine so busy that a server finished nothing says nothing about metrics.
        out.printf("round %d/%d  void: a server completed no call (off %d, on %d)%n",
            round, rounds, offResult.calls(), onResult.calls());
        continue;
      }
      ratios.add(ratio);
      out.printf(
          "round %d/%d  off %9.0f calls/s (p99 %8.1f us)  on %9.0f calls/s (p99 %8.1f us)"
              + "  on/off %.3f%n",
          round, rounds, offResult.throughput(), offResult.percentileMicros(99),
          onResult.throughput(), onResult.percentileMicros(99), ratio);
      out.flush();
      clean &= offResult.errors() == 0 && onResult.errors() == 0;
      offTotal = offTotal == null ? offResult : offTotal.plus(offResult);
      onTotal = onTotal == null ? onResult : onTotal.plus(onResult);
    }
    if (ratios.isEmpty()) {
      out.println("No round completed calls on both servers: no figure.");
      out.flush();
      return 1;
    }
    double overall = onTotal.throughput() / offTotal.throughput();
    double median = median(ratios);
    out.println();
    out.printf("SendMessage, %d in flight against each, %d rounds of %d s, both at once:%n",
        concurrency, rounds, seconds);
    out.printf("  metrics off %9.0f calls/s  p50 %8.1f us  p99 %8.1f us%n",
        offTotal.throughput(), offTotal.percentileMicros(50), offTotal.percentileMicros(99));
    out.printf("  metrics on  %9.0f calls/s  p50 %8.1f us  p99 %8.1f us%n",
        onTotal.throughput(), onTotal.percentileMicros(50), onTotal.percentileMicros(99));
    out.printf("  on/off throughput: %.3f over all rounds, %.3f median of rounds%n", overall, median);
    if (offCpuCalls > 0 && onCpuCalls > 0) {
      double offPerCall = offCpuNanos / 1000.0 / offCpuCalls;
      double onPerCall = onCpuNanos / 1000.0 / onCpuCalls;
      out.printf("  server CPU per call: off %.1f us, on %.1f us; off/on %.3f "
          + "(the throughput one core of server would give, on against off)%n",
          offPerCall, onPerCall, offPerCall / onPerCall);
    }
    out.printf("Target: metrics on >= %.2f x off (median of rounds): %.3f, %s%n",
        TARGET, median, median >= TARGET ? "met" : "NOT met");
    out.flush();
    return clean ? 0 : 1;
  }

  /** CPU time the process has used so far, in nanoseconds; -1 if unknown. */
  private static long cpuNanos(Long pid) {
    if (pid == null) {
      return -1;
    }
    return ProcessHandle.of(pid)
        .flatMap(process -> process.info().totalCpuDuration())
        .map(Duration::toNanos)
        .orElse(-1L);
  }

  private LoadSettings settings(String target) {
    int colon = target.lastIndexOf(':');
    if (colon < 1) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "'" + target + "' is not HOST:PORT");
    }
    try {
      return new LoadSettings(
          target.substring(0, colon),
          Integer.parseInt(target.substring(colon + 1)),
          Rpc.SEND,
          concurrency,
          1,
          Duration.ofSeconds(warmupSeconds),
          Duration.ofSeconds(seconds),
          clients);
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  private static CompletableFuture<LoadResult> start(LoadSettings settings) {
    CompletableFuture<LoadResult> result = new CompletableFuture<>();
    Thread thread =
        new Thread(
            () -> {
              try {
                result.complete(LoadRun.run(settings));
              } catch (Throwable e) {
                result.completeExceptionally(e);
              }
            },
            "load-" + settings.port());
    thread.start();
    return result;
  }

  static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int middle = sorted.size() / 2;
    return sorted.size() % 2 == 1
        ? sorted.get(middle)
        : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
  }

  public static void main(String[] args) {
    System.exit(Cli.commandLine(new MetricsCost()).execute(args));
  }
}

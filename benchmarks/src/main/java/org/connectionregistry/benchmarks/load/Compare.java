package org.connectionregistry.benchmarks.load;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.connectionregistry.commandline.DurationConverter;
import org.connectionregistry.commandline.Durations;
import org.connectionregistry.testsupport.ServerProcess;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Starts a bare grpc-java server and the full server as two processes with the same JVM flags,
 * drives the same load against each in turn (bare-full, then full-bare, to cancel drift), and
 * prints both side by side with the ratios the performance targets are written in.
 */
@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Runs the same gRPC load against a bare server and the full server, in one run,",
      "and prints throughput, latency percentiles and the full/bare ratios.",
      "In --bare-args and --full-args, {port} is the port chosen for the server,",
      "{classpath} this program's class path and {executor} the --bare-executor."
    })
public final class Compare implements Callable<Integer> {

  static final double THROUGHPUT_TARGET = 0.9;
  static final double SINGLE_STREAM_P99_TARGET = 1.5;

  private static final String BARE = "bare";
  private static final String FULL = "full";

  @Spec CommandSpec spec;

  @Option(
      names = "--rpc",
      split = ",",
      defaultValue = "send",
      description = "RPCs to drive, comma-separated: send, status (default: ${DEFAULT-VALUE}).")
  List<Rpc> rpcs;

  @Option(
      names = "--concurrency",
      split = ",",
      defaultValue = "1,64",
      description = "Calls in flight, comma-separated; each is one scenario (default: "
          + "${DEFAULT-VALUE}).")
  List<Integer> concurrencies;

  @Mixin LoadShape shape;

  @Option(
      names = "--server-warmup",
      defaultValue = "20s",
      converter = DurationConverter.class,
      description = "Unmeasured load on each server before the first round, so that both are "
          + "compiled before anything counts; a server pinned to one core needs about 20 s "
          + "(default: ${DEFAULT-VALUE}).")
  Duration serverWarmup;

  @Option(
      names = "--rounds",
      defaultValue = "2",
      description = "Runs per scenario and server; the order alternates (default: "
          + "${DEFAULT-VALUE}).")
  int rounds;

  @Option(
      names = "--jvm-flags",
      defaultValue = "-Xms512m -Xmx512m",
      description = "JVM flags given to both servers, space-separated (default: ${DEFAULT-VALUE}).")
  String jvmFlags;

  @Option(
      names = "--server-cpus",
      description = "Pin both servers to these CPUs with taskset, e.g. 1 or 0-1 (default: no "
          + "pinning).")
  String serverCpus;

  @Option(
      names = "--bare-executor",
      defaultValue = "direct",
      description = "Executor of the bare server: ${COMPLETION-CANDIDATES} (default: "
          + "${DEFAULT-VALUE}).")
  ExecutorChoice bareExecutor;

  @Option(
      names = "--bare-args",
      defaultValue =
          "-cp {classpath} org.connectionregistry.benchmarks.load.BareServer"
              + " --port {port} --executor {executor}",
      description = "What follows 'java <jvm flags>' for the bare server (default: "
          + "${DEFAULT-VALUE}).")
  String bareArgs;

  @Option(
      names = "--bare-ready",
      defaultValue = BareServer.READY_LINE_PREFIX,
      description = "Text the bare server prints when ready (default: ${DEFAULT-VALUE}).")
  String bareReady;

  @Option(
      names = "--full-args",
      defaultValue = ServerCommand.FULL_SERVER_ARGS,
      description = "What follows 'java <jvm flags>' for the full server (default: "
          + "${DEFAULT-VALUE}).")
  String fullArgs;

  @Option(
      names = "--full-ready",
      defaultValue = ServerCommand.FULL_SERVER_READY,
      description = "Text the full server prints when ready (default: ${DEFAULT-VALUE}).")
  String fullReady;

  @Option(
      names = "--startup-timeout",
      defaultValue = "60s",
      converter = DurationConverter.class,
      description = "How long each server may take to get ready (default: ${DEFAULT-VALUE}).")
  Duration startupTimeout;

  @Override
  public Integer call() throws IOException, InterruptedException {
    List<LoadSettings> scenarios = scenarios();
    PrintWriter out = spec.commandLine().getOut();
    List<ServerProcess> started = new ArrayList<>();
    Thread stopOnExit = new Thread(() -> started.forEach(ServerProcess::close), "stop-servers");
    Runtime.getRuntime().addShutdownHook(stopOnExit);
    try {
      ServerProcess bare = startServer(BARE, bareArgs, bareReady, started);
      ServerProcess full = startServer(FULL, fullArgs, fullReady, started);
      out.printf("Servers ready: bare (pid %d, port %d), full (pid %d, port %d).%n",
          bare.pid(), bare.port(), full.pid(), full.port());
      out.flush();
      warmUp(List.of(bare, full), scenarios, out);
      Map<String, LoadResult[]> results = new LinkedHashMap<>();
      Map<String, List<Double>> roundRatios = new LinkedHashMap<>();
      for (int round = 1; round <= rounds; round++) {
        // bare-full, then full-bare: whatever drifts over time weighs on both alike.
        List<ServerProcess> order = round % 2 == 1 ? List.of(bare, full) : List.of(full, bare);
        for (LoadSettings scenario : scenarios) {
          LoadResult[] pair = results.computeIfAbsent(label(scenario), k -> new LoadResult[2]);
          LoadResult[] thisRound = new LoadResult[2];
          for (ServerProcess server : order) {
            LoadResult result = LoadRun.run(scenario.withPort(server.port()));
            out.printf("round %d/%d  %-12s %-4s %s%n",
                round, rounds, label(scenario), server.name(), summary(result));
            out.flush();
            int slot = server == bare ? 0 : 1;
            pair[slot] = pair[slot] == null ? result : pair[slot].plus(result);
            thisRound[slot] = result;
          }
          roundRatios
              .computeIfAbsent(label(scenario), k -> new ArrayList<>())
              .add(thisRound[1].throughput() / thisRound[0].throughput());
        }
      }
      for (String line : table(results)) {
        out.println(line);
      }
      for (String line : roundTable(roundRatios)) {
        out.println(line);
      }
      out.flush();
      boolean clean = results.values().stream()
          .allMatch(pair -> pair[0].errors() == 0 && pair[1].errors() == 0);
      return clean ? 0 : 1;
    } finally {
      started.forEach(ServerProcess::close);
      try {
        Runtime.getRuntime().removeShutdownHook(stopOnExit);
      } catch (IllegalStateException alreadyShuttingDown) {
        // The hook is running or has run; the servers are being stopped either way.
      }
    }
  }

  /**
   * Every scenario once against each server, unmeasured: the first calls of a JVM run interpreted
   * code, and a first round that pays for it would blur the comparison.
   */
  private void warmUp(List<ServerProcess> servers, List<LoadSettings> scenarios, PrintWriter out)
      throws InterruptedException {
    if (serverWarmup.isZero()) {
      return;
    }
    Duration each = serverWarmup.dividedBy(scenarios.size());
    if (each.isZero()) {
      each = Duration.ofMillis(1);
    }
    for (ServerProcess server : servers) {
      for (LoadSettings scenario : scenarios) {
        LoadSettings warmup =
            new LoadSettings(
                scenario.host(), server.port(), scenario.rpc(), scenario.concurrency(),
                scenario.channels(), Duration.ZERO, each, scenario.clients());
        LoadResult result = LoadRun.run(warmup);
        if (result.calls() == 0 && result.errors() > 0) {
          throw new IllegalStateException(
              "The " + server.name() + " server fails every call: "
                  + result.firstError().orElse("no cause given"));
        }
      }
      out.printf("Warmed up the %s server (%s).%n",
          server.name(), Durations.format(serverWarmup));
      out.flush();
    }
  }

  private List<LoadSettings> scenarios() {
    if (rounds < 1) {
      throw new ParameterException(
          spec.commandLine(), "--rounds must be at least 1, got " + rounds);
    }
    List<LoadSettings> scenarios = new ArrayList<>();
    try {
      for (Rpc rpc : rpcs) {
        for (int concurrency : concurrencies) {
          // The port is set per server; 1 is a placeholder that passes validation.
          scenarios.add(
              shape.settings("127.0.0.1", 1, rpc, concurrency));
        }
      }
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    return scenarios;
  }

  private ServerProcess startServer(
      String name, String args, String readyText, List<ServerProcess> started)
      throws IOException, InterruptedException {
    List<String> launcher =
        serverCpus == null ? List.of() : List.of("taskset", "-c", serverCpus);
    ServerProcess server =
        new ServerCommand(name, jvmFlags, args, readyText)
            .start(
                launcher,
                Map.of(
                    "{classpath}", System.getProperty("java.class.path"),
                    "{executor}", bareExecutor.optionName()),
                startupTimeout);
    started.add(server);
    return server;
  }

  private static String label(LoadSettings scenario) {
    return scenario.rpc().optionName() + " c=" + scenario.concurrency();
  }

  private static String summary(LoadResult result) {
    return String.format(
        "%9.0f calls/s  p50 %8.1f us  p99 %8.1f us  p99.9 %8.1f us  errors %d%s",
        result.throughput(),
        result.percentileMicros(50),
        result.percentileMicros(99),
        result.percentileMicros(99.9),
        result.errors(),
        result.firstError().map(error -> " (first: " + error + ")").orElse(""));
  }

  /** The side-by-side table, the ratios, and whether the targets are met. */
  static List<String> table(Map<String, LoadResult[]> results) {
    List<String> lines = new ArrayList<>();
    lines.add("");
    lines.add(String.format("%-12s %-4s %10s %10s %10s %10s %8s",
        "scenario", "srv", "calls/s", "p50 us", "p99 us", "p99.9 us", "errors"));
    results.forEach(
        (label, pair) -> {
          lines.add(row(label, BARE, pair[0]));
          lines.add(row(label, FULL, pair[1]));
        });
    lines.add("");
    lines.add(String.format("%-12s %16s %10s %10s %10s",
        "full/bare", "throughput", "p50", "p99", "p99.9"));
    results.forEach(
        (label, pair) ->
            lines.add(String.format("%-12s %16.3f %10.3f %10.3f %10.3f",
                label,
                pair[1].throughput() / pair[0].throughput(),
                ratio(pair, 50),
                ratio(pair, 99),
                ratio(pair, 99.9))));
    lines.add("");
    lines.addAll(targets(results));
    return lines;
  }

  /**
   * The full/bare throughput of each round and their median: on a machine that others share, a
   * round that some other work disturbed moves the median least.
   */
  static List<String> roundTable(Map<String, List<Double>> roundRatios) {
    List<String> lines = new ArrayList<>();
    lines.add("");
    lines.add(String.format("%-12s %s", "full/bare", "throughput per round, and the median"));
    roundRatios.forEach(
        (label, ratios) -> {
          StringBuilder line = new StringBuilder(String.format("%-12s", label));
          for (double ratio : ratios) {
            line.append(String.format(" %6.3f", ratio));
          }
          line.append(String.format("   median %.3f", median(ratios)));
          lines.add(line.toString());
        });
    return lines;
  }

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(null);
    int middle = sorted.size() / 2;
    return sorted.size() % 2 == 1
        ? sorted.get(middle)
        : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
  }

  private static String row(String label, String server, LoadResult result) {
    return String.format("%-12s %-4s %10.0f %10.1f %10.1f %10.1f %8d",
        label, server,
        result.throughput(),
        result.percentileMicros(50),
        result.percentileMicros(99),
        result.percentileMicros(99.9),
        result.errors());
  }

  private static double ratio(LoadResult[] pair, double percentile) {
    return pair[1].percentileMicros(percentile) / pair[0].percentileMicros(percentile);
  }

  /**
   * The targets: SendMessage throughput at the highest concurrency at least 0.9 of the
   * bare server's, and single-stream SendMessage p99 at most 1.5 times the bare server's.
   */
  private static List<String> targets(Map<String, LoadResult[]> results) {
    List<String> lines = new ArrayList<>();
    LoadResult[] busiest = null;
    LoadResult[] singleStream = null;
    for (LoadResult[] pair : results.values()) {
      LoadSettings settings = pair[0].settings();
      if (settings.rpc() != Rpc.SEND) {
        continue;
      }
      if (busiest == null || settings.concurrency() > busiest[0].settings().concurrency()) {
        busiest = pair;
      }
      if (settings.concurrency() == 1) {
        singleStream = pair;
      }
    }
    if (busiest != null && busiest[0].settings().concurrency() > 1) {
      double ratio = busiest[1].throughput() / busiest[0].throughput();
      lines.add(String.format(
          "Target: SendMessage throughput at concurrency %d >= %.2f x bare: %.3f, %s",
          busiest[0].settings().concurrency(), THROUGHPUT_TARGET, ratio,
          ratio >= THROUGHPUT_TARGET ? "met" : "NOT met"));
    }
    if (singleStream != null) {
      double ratio = ratio(singleStream, 99);
      lines.add(String.format(
          "Target: single-stream SendMessage p99 <= %.2f x bare: %.3f, %s",
          SINGLE_STREAM_P99_TARGET, ratio,
          ratio <= SINGLE_STREAM_P99_TARGET ? "met" : "NOT met"));
    }
    return lines;
  }

  public static void main(String[] args) {
    System.exit(Cli.commandLine(new Compare()).execute(args));
  }
}

package org.connectionregistry.benchmarks.load;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.connectionregistry.commandline.DurationConverter;
import org.connectionregistry.testsupport.FreePort;
import org.connectionregistry.testsupport.ServerProcess;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The storage engines side by side, in one run: starts the full server on each store in turn
 * (a file in a temporary directory, and a {@code redis-server} of its own on a free loopback
 * port), drives the same SendMessage load against each, and prints calls/s, p50 and p99, the
 * ratio to the in-memory store measured in the same run, and for the file store how many calls
 * shared one fsync (from the line the store logs when the server stops).
 *
 * <p>Each (store, concurrency) run gets a fresh server, warmed up before it is measured, so one
 * run's leftovers (a file grown by the run before, a JIT profile) do not weigh on the next. With
 * {@code --rounds N} the stores take turns N times (memory, file, redis, memory, file, ...), so a
 * machine whose speed drifts during the run weighs on every store alike, and the table shows
 * each store's median round.
 */
@Command(
    name = "store-benchmark",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Runs the same SendMessage load against the server on each store (memory, file, redis,",
      "and on request a six-node Redis Cluster), starting every store itself, and prints",
      "throughput, latency and the ratios to memory."
    })
public final class StoreBenchmark implements Callable<Integer> {

  static final double THROUGHPUT_TARGET = 0.6;
  static final double REDIS_P99_TARGET_MICROS = 2_000;

  private static final Pattern WRITES_PER_SYNC =
      Pattern.compile("closed: (\\d+) writes in (\\d+) syncs");

  @Spec CommandSpec spec;

  @Option(
      names = "--stores",
      split = ",",
      defaultValue = "memory,file,redis",
      description = "Stores to run, comma-separated: ${COMPLETION-CANDIDATES} (default: "
          + "${DEFAULT-VALUE}). memory is always run first: it is the anchor of the ratios.")
  List<Store> stores;

  @Option(
      names = "--concurrency",
      split = ",",
      defaultValue = "64,128",
      description = "Calls in flight, comma-separated (default: ${DEFAULT-VALUE}).")
  List<Integer> concurrencies;

  @Mixin LoadShape shape;

  @Option(
      names = "--rounds",
      defaultValue = "1",
      description = "Times every store takes its turn, alternating; the table shows medians "
          + "(default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(
      names = "--redis-cpus",
      description = "Pin redis-server to these CPUs with taskset, e.g. 0 (default: those of "
          + "--server-cpus).")
  String redisCpus;

  @Option(
      names = "--jvm-flags",
      defaultValue = "-Xms512m -Xmx512m",
      description = "JVM flags of the server, space-separated (default: ${DEFAULT-VALUE}).")
  String jvmFlags;

  @Option(
      names = "--server-cpus",
      description = "Pin the server (and redis-server) to these CPUs with taskset, e.g. 1 "
          + "(default: no pinning).")
  String serverCpus;

  @Option(
      names = "--server-jar",
      defaultValue = "bootstrap/target/connection-server.jar",
      description = "The server to run (default: ${DEFAULT-VALUE}).")
  Path serverJar;

  @Option(
      names = "--redis-server",
      defaultValue = "redis-server",
      description = "The redis-server binary (default: ${DEFAULT-VALUE}, from the PATH).")
  String redisServer;

  @Option(
      names = "--dir",
      description = "Directory for the file store's file (default: a new temporary directory; "
          + "the file is on the disk being measured).")
  Path dir;

  @Option(
      names = "--startup-timeout",
      defaultValue = "60s",
      converter = DurationConverter.class,
      description = "How long a server may take to get ready (default: ${DEFAULT-VALUE}).")
  Duration startupTimeout;

  /** The stores this benchmark can run. */
  enum Store {
    MEMORY,
    FILE,
    REDIS,
    CLUSTER;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** One measured run and, for the file store, its writes per sync. */
  record Measured(LoadResult result, Optional<Double> writesPerSync) {}

  @Override
  public Integer call() throws IOException, InterruptedException {
    List<Store> order = order();
    PrintWriter out = spec.commandLine().getOut();
    Path workDir = dir != null ? dir : Files.createTempDirectory("store-benchmark");
    List<ServerProcess> started = new ArrayList<>();
    Thread stopOnExit = new Thread(() -> started.forEach(ServerProcess::close), "stop-servers");
    Runtime.getRuntime().addShutdownHook(stopOnExit);
    Map<Integer, Map<Store, Measured>> results = new LinkedHashMap<>();
    try {
      ServerProcess redis = null;
      if (order.contains(Store.REDIS)) {
        redis = startRedis(workDir.resolve("redis"), List.of(), started);
        out.printf("redis-server ready on 127.0.0.1:%d (no persistence).%n", redis.port());
      }
      String cluster = null;
      if (order.contains(Store.CLUSTER)) {
        cluster = startCluster(workDir, started);
        out.printf("Redis Cluster ready: %s (three masters, three replicas).%n", cluster);
      }
      Map<Integer, Map<Store, List<Measured>>> allRounds = new LinkedHashMap<>();
      for (int concurrency : concurrencies) {
        for (int round = 1; round <= rounds; round++) {
          for (Store store : order) {
            LoadSettings settings = shape.settings("127.0.0.1", 1, Rpc.SEND, concurrency);
            String storeArg = storeArg(store, workDir, concurrency, redis, cluster);
            Measured measured = measure(store, storeArg, settings, started);
            allRounds
                .computeIfAbsent(concurrency, c -> new LinkedHashMap<>())
                .computeIfAbsent(store, s -> new ArrayList<>())
                .add(measured);
            out.printf("%-6s c=%-4d round %d/%d %s%s%n", store.label(), concurrency, round, rounds,
                summary(measured.result()),
                measured.writesPerSync().map(w -> String.format("  %.1f calls per fsync", w)).orElse(""));
            out.flush();
          }
        }
      }
      allRounds.forEach(
          (concurrency, byStore) ->
              byStore.forEach(
                  (store, measured) ->
                      results
                          .computeIfAbsent(concurrency, c -> new LinkedHashMap<>())
                          .put(store, median(measured))));
      for (String line : table(results)) {
        out.println(line);
      }
      out.flush();
      boolean clean = allRounds.values().stream()
          .flatMap(byStore -> byStore.values().stream())
          .flatMap(List::stream)
          .allMatch(measured -> measured.result().errors() == 0);
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

  /** The round of median throughput (the lower middle one of an even count). */
  static Measured median(List<Measured> measured) {
    List<Measured> sorted = new ArrayList<>(measured);
    sorted.sort(java.util.Comparator.comparingDouble(m -> m.result().throughput()));
    return sorted.get((sorted.size() - 1) / 2);
  }

  private List<Store> order() {
    if (rounds < 1) {
      throw new ParameterException(spec.commandLine(), "--rounds must be at least 1");
    }
    if (concurrencies.isEmpty() || concurrencies.stream().anyMatch(c -> c < 1)) {
      throw new ParameterException(spec.commandLine(), "--concurrency values must be at least 1");
    }
    List<Store> order = new ArrayList<>();
    order.add(Store.MEMORY);
    stores.stream().distinct().filter(store -> store != Store.MEMORY).forEach(order::add);
    return order;
  }

  private static String storeArg(
      Store store, Path workDir, int concurrency, ServerProcess redis, String cluster)
      throws IOException {
    switch (store) {
      case MEMORY:
        return "memory";
      case FILE:
        Path file = workDir.resolve("registry-" + concurrency + ".db");
        Files.deleteIfExists(file);
        return "file:" + file;
      case REDIS:
        return "redis://127.0.0.1:" + redis.port();
      case CLUSTER:
        return cluster;
      default:
        throw new IllegalStateException("no store argument for " + store);
    }
  }

  /** A fresh server on the store, the load, then the server stopped and its last words read. */
  private Measured measure(
      Store store, String storeArg, LoadSettings settings, List<ServerProcess> started)
      throws IOException, InterruptedException {
    int port = FreePort.onLoopback();
    List<String> command = pinned(serverCpus);
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(words(jvmFlags));
    command.addAll(
        List.of("-jar", serverJar.toString(), "--host", "127.0.0.1", "--port",
            Integer.toString(port), "--store", storeArg));
    ServerProcess server =
        ServerProcess.command(store.label(), command, port)
            .readyWhenPrinting("Server is starting on port")
            .startTimeout(startupTimeout)
            // The file store reports its syncs as it closes, in the server's shutdown: give it time.
            .stopGrace(Duration.ofSeconds(60))
            .start();
    started.add(server);
    LoadResult result;
    try {
      result = LoadRun.run(settings.withPort(port));
    } finally {
      server.close();
      started.remove(server);
    }
    Optional<Double> writesPerSync = Optional.empty();
    if (store == Store.FILE) {
      Optional<String> line =
          server.outputText().lines().filter(text -> text.contains("writes per sync")).reduce((first, last) -> last);
      if (line.isPresent()) {
        Matcher matcher = WRITES_PER_SYNC.matcher(line.get());
        if (matcher.find() && Long.parseLong(matcher.group(2)) > 0) {
          writesPerSync =
              Optional.of(Double.parseDouble(matcher.group(1)) / Long.parseLong(matcher.group(2)));
        }
      }
    }
    return new Measured(result, writesPerSync);
  }

  private ServerProcess startRedis(Path redisDir, List<String> extraArgs, List<ServerProcess> started)
      throws IOException, InterruptedException {
    int port = FreePort.onLoopback();
    Files.createDirectories(redisDir);
    List<String> command = pinned(redisCpus != null ? redisCpus : serverCpus);
    command.addAll(
        List.of(redisServer, "--port", Integer.toString(port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", redisDir.toString()));
    command.addAll(extraArgs);
    ServerProcess redis =
        ServerProcess.command("redis", command, port)
            .readyWhenPrinting("Ready to accept connections")
            .startTimeout(startupTimeout)
            .start();
    started.add(redis);
    return redis;
  }

  /**
   * Six cluster-enabled redis-servers joined by {@code redis-cli --cluster create} into three
   * masters with a replica each; returns the {@code redis-cluster://} URI naming them all.
   */
  private String startCluster(Path workDir, List<ServerProcess> started)
      throws IOException, InterruptedException {
    List<String> nodes = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ServerProcess node =
          startRedis(
              workDir.resolve("cluster-" + i),
              List.of("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"),
              started);
      nodes.add("127.0.0.1:" + node.port());
    }
    String cli = Path.of(redisServer).getParent() == null ? "redis-cli"
        : Path.of(redisServer).resolveSibling("redis-cli").toString();
    List<String> create = new ArrayList<>(List.of(cli, "--cluster", "create"));
    create.addAll(nodes);
    create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
    Process process = new ProcessBuilder(create).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new IOException("redis-cli --cluster create failed: " + output);
    }
    // Every node must agree before the first server starts.
    for (String node : nodes) {
      String port = node.substring(node.indexOf(':') + 1);
      long deadline = System.nanoTime() + startupTimeout.toNanos();
      while (true) {
        Process info = new ProcessBuilder(cli, "-p", port, "cluster", "info").redirectErrorStream(true).start();
        String text = new String(info.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        info.waitFor();
        if (text.contains("cluster_state:ok")) {
          break;
        }
        if (System.nanoTime() > deadline) {
          throw new IOException("The Redis Cluster is not ok on " + node + ": " + text.strip());
        }
        Thread.sleep(100);
      }
    }
    return "redis-cluster://" + String.join(",", nodes);
  }

  private static List<String> pinned(String cpus) {
    List<String> command = new ArrayList<>();
    if (cpus != null) {
      command.addAll(List.of("taskset", "-c", cpus));
    }
    return command;
  }

  private static List<String> words(String text) {
    String stripped = text.strip();
    return stripped.isEmpty() ? List.of() : Arrays.asList(stripped.split("\\s+"));
  }

  private static String summary(LoadResult result) {
    return String.format(
        "%9.0f calls/s  p50 %8.1f us  p99 %8.1f us  errors %d%s",
        result.throughput(),
        result.percentileMicros(50),
        result.percentileMicros(99),
        result.errors(),
        result.firstError().map(error -> " (first: " + error + ")").orElse(""));
  }

  /** The table of every run, the ratios to memory, and whether the goals are met. */
  static List<String> table(Map<Integer, Map<Store, Measured>> results) {
    List<String> lines = new ArrayList<>();
    lines.add("");
    lines.add(String.format("%-6s %-9s %10s %9s %9s %9s %15s",
        "store", "in flight", "calls/s", "p50 ms", "p99 ms", "x memory", "calls per fsync"));
    List<String> goals = new ArrayList<>();
    results.forEach(
        (concurrency, byStore) -> {
          LoadResult memory = byStore.get(Store.MEMORY).result();
          byStore.forEach(
              (store, measured) -> {
                LoadResult result = measured.result();
                double ratio = result.throughput() / memory.throughput();
                lines.add(String.format("%-6s %-9d %10.0f %9.2f %9.2f %9.2f %15s",
                    store.label(), concurrency, result.throughput(),
                    result.percentileMicros(50) / 1000, result.percentileMicros(99) / 1000,
                    ratio,
                    measured.writesPerSync().map(w -> String.format("%.1f", w)).orElse("")));
                goals.addAll(goals(store, concurrency, ratio, result));
              });
        });
    lines.add("");
    lines.addAll(goals);
    return lines;
  }

  /** The goals of the issue: redis at 64 and 128, file at 128. */
  private static List<String> goals(Store store, int concurrency, double ratio, LoadResult result) {
    List<String> lines = new ArrayList<>();
    boolean throughputGoal =
        (store == Store.REDIS && (concurrency == 64 || concurrency == 128))
            || (store == Store.FILE && concurrency == 128);
    if (throughputGoal) {
      lines.add(String.format("Goal: %s at %d in flight >= %.1f x memory: %.2f, %s",
          store.label(), concurrency, THROUGHPUT_TARGET, ratio,
          ratio >= THROUGHPUT_TARGET ? "met" : "NOT met"));
    }
    if (store == Store.REDIS && concurrency == 64) {
      double p99 = result.percentileMicros(99);
      lines.add(String.format("Goal: redis p99 at 64 in flight <= 2 ms: %.2f ms, %s",
          p99 / 1000, p99 <= REDIS_P99_TARGET_MICROS ? "met" : "NOT met"));
    }
    return lines;
  }

  public static void main(String[] args) {
    System.exit(Cli.commandLine(new StoreBenchmark()).execute(args));
  }
}

package org.connectionregistry.benchmarks.load;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
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
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.connectionregistry.adapter.grpc.MessageLimits;
import org.connectionregistry.commandline.DurationConverter;
import org.connectionregistry.commandline.Durations;
import org.connectionregistry.testsupport.FreePort;
import org.connectionregistry.testsupport.ServerProcess;
import picocli.CommandLine.Command;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
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
 * run's leftovers (a file grown by the run before, a JIT profile) do not weigh on the next. The
 * warm-up defaults to {@value #DEFAULT_WARMUP}, not the {@link LoadShape} default: a fresh server
 * pinned to one core needs about 20 s of load before its JIT has compiled the hot paths, and a
 * shorter warm-up measures the compiler, whose share differs from store to store. With
 * {@code --rounds N} the stores take turns N times (memory, file, redis, memory, file, ...), so a
 * machine whose speed drifts during the run weighs on every store alike, and the table shows
 * each store's median round.
 *
 * <p>With {@code --listing-clients N}, after the SendMessage runs, a fresh server on each store
 * (the Redis ones emptied first) is filled with N clients over SendMessage, many calls in flight
 * ({@link RegistryFiller}, as {@link ListingBenchmark} does), and complete listings over
 * ListClients are timed page by page ({@link ListingTimer}, after a warm-up of its own); the
 * table compares each store's fill and listing with memory, and the cluster with one Redis.
 */
@Command(
    name = "store-benchmark",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    defaultValueProvider = StoreBenchmark.LongWarmup.class,
    description = {
      "Runs the same SendMessage load against the server on each store (memory, file,",
      "redis, and on request a six-node Redis Cluster), starting every store itself,",
      "and prints throughput, latency and the ratios to memory. With --listing-clients,",
      "it then fills a fresh server on each store with that many clients and times",
      "listing them all.",
      "Every run has a fresh server, so --warmup defaults to " + StoreBenchmark.DEFAULT_WARMUP
          + " here, not 3s: on one",
      "core the JIT needs about that long to compile a fresh server's hot paths, and a",
      "shorter warm-up measures the compiler (whose share differs per store), not the",
      "store."
    })
public final class StoreBenchmark implements Callable<Integer> {

  /** Long enough for the JIT of a fresh server on one core; see the class comment. */
  static final String DEFAULT_WARMUP = "20s";

  /** A listing of a million clients from a slow store on a busy machine may need minutes. */
  private static final Duration LISTING_DEADLINE = Duration.ofMinutes(10);

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

  @Mixin StoreListingOptions listing;

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

  /** The nodes of the Redis Cluster this benchmark started, and the URI naming them all. */
  record Cluster(String uri, List<Integer> ports) {}

  /** Gives {@code --warmup} of the shared {@link LoadShape} this benchmark's longer default. */
  public static final class LongWarmup implements IDefaultValueProvider {
    @Override
    public String defaultValue(ArgSpec argSpec) {
      return argSpec.isOption() && ((OptionSpec) argSpec).longestName().equals("--warmup")
          ? DEFAULT_WARMUP
          : null;
    }
  }

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
      Cluster cluster = null;
      if (order.contains(Store.CLUSTER)) {
        cluster = startCluster(workDir, started);
        out.printf("Redis Cluster ready: %s (three masters, three replicas).%n", cluster.uri());
      }
      out.printf("Every run: a fresh server, %s of warm-up, then %s measured.%n",
          Durations.format(shape.warmup), Durations.format(shape.duration));
      Map<Integer, Map<Store, List<Measured>>> allRounds = new LinkedHashMap<>();
      for (int concurrency : concurrencies) {
        for (int round = 1; round <= rounds; round++) {
          for (Store store : order) {
            LoadSettings settings = shape.settings("127.0.0.1", 1, Rpc.SEND, concurrency);
            String storeArg =
                storeArg(store, workDir.resolve("registry-" + concurrency + ".db"), redis, cluster);
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
      if (listing.enabled()) {
        Map<Store, StoreListing> listings = new LinkedHashMap<>();
        for (Store store : order) {
          emptyRedis(store, redis, cluster);
          String storeArg = storeArg(store, workDir.resolve("registry-listing.db"), redis, cluster);
          try {
            StoreListing figures = list(store, storeArg, started, out);
            listings.put(store, figures);
            clean &= figures.complete();
          } catch (RuntimeException failed) {
            // One store failing (a fill refused, a listing past its deadline) spoils its row only.
            out.printf("%-7s listing FAILED: %s%n", store.label(), Cli.describe(failed));
            out.flush();
            clean = false;
          }
        }
        StoreListing.table(listings).forEach(out::println);
        out.flush();
      }
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
    listing.validate(spec.commandLine());
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

  /** The {@code --store} argument of a fresh server on {@code store}; a file store starts empty. */
  private static String storeArg(Store store, Path file, ServerProcess redis, Cluster cluster)
      throws IOException {
    switch (store) {
      case MEMORY:
        return "memory";
      case FILE:
        Files.deleteIfExists(file);
        return "file:" + file;
      case REDIS:
        return "redis://127.0.0.1:" + redis.port();
      case CLUSTER:
        return cluster.uri();
      default:
        throw new IllegalStateException("no store argument for " + store);
    }
  }

  /** A fresh server on the store, the load, then the server stopped and its last words read. */
  private Measured measure(
      Store store, String storeArg, LoadSettings settings, List<ServerProcess> started)
      throws IOException, InterruptedException {
    ServerProcess server = startServer(store, storeArg, jvmFlags, started);
    LoadResult result;
    try {
      result = LoadRun.run(settings.withPort(server.port()));
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

  /**
   * A fresh server on the store filled with {@code --listing-clients} clients over SendMessage,
   * then its complete listings timed; the server is stopped before this returns.
   */
  private StoreListing list(
      Store store, String storeArg, List<ServerProcess> started, PrintWriter out)
      throws IOException, InterruptedException {
    ServerProcess server = startServer(store, storeArg, listing.jvmFlags, started);
    ManagedChannel channel =
        NettyChannelBuilder.forTarget(server.target())
            .usePlaintext()
            .maxInboundMessageSize(MessageLimits.LEGACY_LISTING_INBOUND_BYTES)
            .build();
    try {
      out.printf("%-7s filling with %,d clients, %d calls in flight...%n",
          store.label(), listing.clients, listing.inFlight);
      out.flush();
      long start = System.nanoTime();
      RegistryFiller.fill(channel, listing.clients, listing.inFlight);
      long fillNanos = System.nanoTime() - start;
      out.printf("%-7s registered %,d clients in %s (%.0f calls/s)%n",
          store.label(), listing.clients, RunTimes.millis(fillNanos),
          listing.clients * 1e9 / fillNanos);
      out.flush();
      ListingTimer timer =
          new ListingTimer(out, listing.clients, 1, listing.warmup, listing.runs);
      ListingMethod method = listing.via.method(channel, server.target(), LISTING_DEADLINE);
      ListingTimer.Timing timing =
          timer.time(new ListingMethod(store.label() + ": " + method.name(), method.listAll()));
      return new StoreListing(
          listing.clients, fillNanos, method.name(), timing.times(), timing.complete());
    } finally {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      server.close();
      started.remove(server);
    }
  }

  private ServerProcess startServer(
      Store store, String storeArg, String flags, List<ServerProcess> started)
      throws IOException, InterruptedException {
    int port = FreePort.onLoopback();
    List<String> command = pinned(serverCpus);
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(words(flags));
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
    return server;
  }

  /**
   * Empties the redis-server or the cluster a store runs on, so the listing finds only the
   * clients its fill registered: FLUSHALL on every node (replicas refuse it and follow their
   * masters), then waits until every node holds no key.
   */
  private void emptyRedis(Store store, ServerProcess redis, Cluster cluster)
      throws IOException, InterruptedException {
    List<Integer> ports;
    if (store == Store.REDIS) {
      ports = List.of(redis.port());
    } else if (store == Store.CLUSTER) {
      ports = cluster.ports();
    } else {
      return;
    }
    for (int port : ports) {
      redisCli(port, "FLUSHALL");
    }
    long deadline = System.nanoTime() + startupTimeout.toNanos();
    for (int port : ports) {
      String keys;
      while (!(keys = redisCli(port, "DBSIZE").strip()).equals("0")) {
        if (System.nanoTime() > deadline) {
          throw new IOException(
              "Could not empty redis-server on port " + port + ": DBSIZE answers " + keys);
        }
        Thread.sleep(100);
      }
    }
  }

  /** One redis-cli command against a node on loopback; its output, errors included. */
  private String redisCli(int port, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(redisCliBinary(), "-p", Integer.toString(port)));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    process.waitFor();
    return output;
  }

  /** redis-cli from beside {@code --redis-server} when that is a path, else from the PATH. */
  private String redisCliBinary() {
    return Path.of(redisServer).getParent() == null ? "redis-cli"
        : Path.of(redisServer).resolveSibling("redis-cli").toString();
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
  private Cluster startCluster(Path workDir, List<ServerProcess> started)
      throws IOException, InterruptedException {
    List<String> nodes = new ArrayList<>();
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ServerProcess node =
          startRedis(
              workDir.resolve("cluster-" + i),
              List.of("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"),
              started);
      nodes.add("127.0.0.1:" + node.port());
      ports.add(node.port());
    }
    String cli = redisCliBinary();
    List<String> create = new ArrayList<>(List.of(cli, "--cluster", "create"));
    create.addAll(nodes);
    create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
    Process process = new ProcessBuilder(create).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new IOException("redis-cli --cluster create failed: " + output);
    }
    // Every node must agree before the first server starts.
    for (int port : ports) {
      long deadline = System.nanoTime() + startupTimeout.toNanos();
      while (true) {
        String text = redisCli(port, "cluster", "info");
        if (text.contains("cluster_state:ok")) {
          break;
        }
        if (System.nanoTime() > deadline) {
          throw new IOException(
              "The Redis Cluster is not ok on 127.0.0.1:" + port + ": " + text.strip());
        }
        Thread.sleep(100);
      }
    }
    return new Cluster("redis-cluster://" + String.join(",", nodes), List.copyOf(ports));
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
    results.forEach(
        (concurrency, byStore) -> {
          Measured redis = byStore.get(Store.REDIS);
          Measured cluster = byStore.get(Store.CLUSTER);
          if (redis != null && cluster != null) {
            lines.add(String.format("cluster / redis at %d in flight: %.2f x the calls/s, p99 %.2f x",
                concurrency,
                cluster.result().throughput() / redis.result().throughput(),
                cluster.result().percentileMicros(99) / redis.result().percentileMicros(99)));
          }
        });
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

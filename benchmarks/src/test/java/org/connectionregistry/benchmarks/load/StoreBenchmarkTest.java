package org.connectionregistry.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.HdrHistogram.Histogram;
import org.connectionregistry.benchmarks.load.StoreBenchmark.Measured;
import org.connectionregistry.benchmarks.load.StoreBenchmark.Store;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * StoreBenchmark's options and tables; running it needs the packaged server, which this module
 * is built before, so whole runs are checked by hand (the command is in the README).
 */
@Feature("Performance")
@Story("Store benchmark")
@DisplayName("Benchmarks: every store under the same load, and listing many clients on each")
class StoreBenchmarkTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @AfterEach
  void noProcessWasStarted() {
    long leftOver =
        ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
            .peek(ProcessHandle::destroyForcibly).count();
    assertThat(leftOver).as("processes still running").isZero();
  }

  private int run(String... args) {
    CommandLine commandLine = Cli.commandLine(new StoreBenchmark());
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    return commandLine.execute(args);
  }

  @Test
  @DisplayName("every fresh server is warmed up for 20 s unless --warmup says otherwise, and the "
      + "load generator keeps its own default")
  void everyFreshServerIsWarmedUpForTwentySecondsUnlessToldOtherwise() {
    StoreBenchmark byDefault = new StoreBenchmark();
    Cli.commandLine(byDefault).parseArgs();
    StoreBenchmark shorter = new StoreBenchmark();
    Cli.commandLine(shorter).parseArgs("--warmup", "5s");
    LoadGenerator generator = new LoadGenerator();
    Cli.commandLine(generator).parseArgs();

    assertThat(byDefault.shape.warmup).isEqualTo(Duration.ofSeconds(20));
    assertThat(shorter.shape.warmup).isEqualTo(Duration.ofSeconds(5));
    assertThat(generator.shape.warmup).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  @DisplayName("the help shows the 20 s warm-up and says it is for the JIT of a fresh server")
  void helpShowsTheWarmUpAndWhy() {
    int exitCode = run("--help");

    assertThat(exitCode).isZero();
    assertThat(out.toString())
        .containsPattern("--warmup=<warmup>\\s+Unmeasured time before each run \\(default: 20s\\)")
        .contains("--warmup defaults to 20s here")
        .contains("the JIT needs about that long")
        .contains("--listing-clients=<clients>");
  }

  @Test
  @DisplayName("listing options that cannot run are refused with a clear message before any "
      + "store is started")
  void listingOptionsThatCannotRunAreRefusedBeforeAnyStoreStarts() {
    assertThat(run("--listing-clients", "-1")).isEqualTo(2);
    assertThat(run("--listing-clients", "10", "--listing-runs", "0")).isEqualTo(2);
    assertThat(run("--listing-clients", "10", "--listing-in-flight", "0")).isEqualTo(2);
    assertThat(run("--listing-clients", "10", "--listing-warmup", "soon")).isEqualTo(2);
    assertThat(run("--listing-clients", "10", "--listing-via", "carrier-pigeon")).isEqualTo(2);

    assertThat(err.toString())
        .contains("--listing-clients must not be negative, got -1")
        .contains("--listing-runs must be at least 1, got 0")
        .contains("--listing-in-flight must be at least 1, got 0")
        .contains("'soon' is not a duration")
        .contains("expected one of [RAW, CONSOLE]")
        .doesNotContain("Exception");
    assertThat(out.toString()).doesNotContain("redis-server ready");
  }

  @Test
  @DisplayName("the listing table gives each store's fill and listing speed against memory, and "
      + "the cluster's against one Redis")
  void listingTableGivesEachStoreAgainstMemoryAndTheClusterAgainstRedis() {
    Map<Store, StoreListing> byStore = new LinkedHashMap<>();
    byStore.put(Store.MEMORY, listing(10_000, 150, 200, true));
    byStore.put(Store.FILE, listing(20_000, 380, 400, true));
    byStore.put(Store.REDIS, listing(50_000, 750, 800, true));
    byStore.put(Store.CLUSTER, listing(100_000, 900, 1_000, true));

    List<String> lines = StoreListing.table(byStore);

    assertThat(lines)
        .contains("Listing 1,000,000 clients (ListClients, raw stub): filled over SendMessage, "
            + "then 3 timed complete listings each")
        .anySatisfy(line -> assertThat(line).matches(
            "store\\s+fill s\\s+fill calls/s\\s+x memory\\s+best ms\\s+median ms\\s+clients/s\\s+x memory"))
        .anySatisfy(line -> assertThat(line).matches(
            "memory\\s+10\\.0\\s+100000\\s+1\\.00\\s+150\\s+200\\s+5000000\\s+1\\.00"))
        .anySatisfy(line -> assertThat(line).matches(
            "file\\s+20\\.0\\s+50000\\s+0\\.50\\s+380\\s+400\\s+2500000\\s+0\\.50"))
        .anySatisfy(line -> assertThat(line).matches(
            "redis\\s+50\\.0\\s+20000\\s+0\\.20\\s+750\\s+800\\s+1250000\\s+0\\.25"))
        .anySatisfy(line -> assertThat(line).matches(
            "cluster\\s+100\\.0\\s+10000\\s+0\\.10\\s+900\\s+1000\\s+1000000\\s+0\\.20"))
        .contains("cluster / redis: fill 0.50 x, listing 0.80 x (median; above 1 the cluster "
            + "is faster)")
        .noneSatisfy(line -> assertThat(line).contains("INCOMPLETE"));
  }

  @Test
  @DisplayName("a store whose listing missed clients is marked INCOMPLETE in the table")
  void storeWhoseListingMissedClientsIsMarkedIncomplete() {
    Map<Store, StoreListing> byStore = new LinkedHashMap<>();
    byStore.put(Store.MEMORY, listing(10_000, 150, 200, true));
    byStore.put(Store.REDIS, listing(50_000, 750, 800, false));

    List<String> lines = StoreListing.table(byStore);

    assertThat(lines)
        .anySatisfy(line -> assertThat(line).startsWith("redis").endsWith(
            "INCOMPLETE: a listing missed clients"))
        .anySatisfy(line -> assertThat(line).startsWith("memory").doesNotContain("INCOMPLETE"))
        .noneSatisfy(line -> assertThat(line).startsWith("cluster / redis"));
  }

  @Test
  @DisplayName("the SendMessage table compares the cluster with one Redis at each number of "
      + "calls in flight")
  void sendMessageTableComparesTheClusterWithOneRedis() {
    Map<Integer, Map<Store, Measured>> results = new LinkedHashMap<>();
    Map<Store, Measured> at64 = new LinkedHashMap<>();
    at64.put(Store.MEMORY, measured(64, 40_000, 2_000));
    at64.put(Store.REDIS, measured(64, 10_000, 4_000));
    at64.put(Store.CLUSTER, measured(64, 6_000, 8_000));
    results.put(64, at64);

    List<String> lines = StoreBenchmark.table(results);

    assertThat(lines)
        .anySatisfy(line -> assertThat(line).matches("redis\\s+64\\s+10000\\s.*\\s0\\.25\\s*"))
        .anySatisfy(line -> assertThat(line).matches("cluster\\s+64\\s+6000\\s.*\\s0\\.15\\s*"))
        .contains("cluster / redis at 64 in flight: 0.60 x the calls/s, p99 2.00 x");
  }

  /** One million clients, filled in {@code fillMillis}, listed three times. */
  private static StoreListing listing(
      long fillMillis, long bestMillis, long medianMillis, boolean complete) {
    long[] runs = {bestMillis * 1_000_000, medianMillis * 1_000_000, (medianMillis + 50) * 1_000_000};
    return new StoreListing(
        1_000_000, fillMillis * 1_000_000, "ListClients, raw stub", new RunTimes(runs), complete);
  }

  /** A one-second run of {@code callsPerSecond} calls, every one taking {@code latencyMicros}. */
  private static Measured measured(int concurrency, int callsPerSecond, long latencyMicros) {
    LoadSettings settings =
        new LoadSettings("127.0.0.1", 1, Rpc.SEND, concurrency, 1, Duration.ZERO,
            Duration.ofSeconds(1), 10);
    Histogram latencies = new Histogram(3);
    latencies.recordValueWithCount(latencyMicros * 1_000, callsPerSecond);
    return new Measured(
        new LoadResult(settings, latencies, 0, 1_000_000_000L, Optional.empty()),
        Optional.empty());
  }
}

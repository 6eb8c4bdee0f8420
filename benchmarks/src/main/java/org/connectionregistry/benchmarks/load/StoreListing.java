package org.connectionregistry.benchmarks.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.connectionregistry.benchmarks.load.StoreBenchmark.Store;

/**
 * What {@link StoreBenchmark} measured of one store holding many clients: how long filling it over
 * SendMessage took, and its timed complete listings.
 *
 * @param clients how many clients were registered, and every listing had to list
 * @param fillNanos from the first SendMessage of the fill to the last answer
 * @param how how the listings were read ({@link ListingMethod#name()})
 * @param listings the timed listings
 * @param complete whether every timed listing listed every client
 */
record StoreListing(long clients, long fillNanos, String how, RunTimes listings, boolean complete) {

  /** SendMessage calls answered per second while filling. */
  double fillCallsPerSecond() {
    return clients * 1e9 / fillNanos;
  }

  /** Clients listed per second in the median listing. */
  double listedPerSecond() {
    return clients * 1e9 / listings.medianNanos();
  }

  /**
   * The table of every store's fill and listing, each against the memory store of the same run
   * and the cluster against one Redis; ratios are of speeds (calls/s, clients/s), so below 1 is
   * slower, as in the SendMessage table.
   */
  static List<String> table(Map<Store, StoreListing> byStore) {
    List<String> lines = new ArrayList<>();
    if (byStore.isEmpty()) {
      return lines;
    }
    StoreListing any = byStore.values().iterator().next();
    lines.add("");
    lines.add(String.format("Listing %,d clients (%s): filled over SendMessage, then %d timed "
            + "complete listings each", any.clients(), any.how(), any.listings().nanos().length));
    lines.add(String.format("%-7s %10s %12s %8s %10s %10s %12s %8s",
        "store", "fill s", "fill calls/s", "x memory", "best ms", "median ms", "clients/s",
        "x memory"));
    StoreListing memory = byStore.get(Store.MEMORY);
    byStore.forEach(
        (store, figures) ->
            lines.add(String.format("%-7s %10.1f %12.0f %8s %10.0f %10.0f %12.0f %8s%s",
                store.label(),
                figures.fillNanos() / 1e9,
                figures.fillCallsPerSecond(),
                memory == null ? "" : ratio(figures.fillCallsPerSecond(), memory.fillCallsPerSecond()),
                figures.listings().bestNanos() / 1e6,
                figures.listings().medianNanos() / 1e6,
                figures.listedPerSecond(),
                memory == null ? "" : ratio(figures.listedPerSecond(), memory.listedPerSecond()),
                figures.complete() ? "" : "  INCOMPLETE: a listing missed clients")));
    StoreListing redis = byStore.get(Store.REDIS);
    StoreListing cluster = byStore.get(Store.CLUSTER);
    if (redis != null && cluster != null) {
      lines.add("");
      lines.add(String.format("cluster / redis: fill %s x, listing %s x (median; above 1 the "
              + "cluster is faster)",
          ratio(cluster.fillCallsPerSecond(), redis.fillCallsPerSecond()),
          ratio(cluster.listedPerSecond(), redis.listedPerSecond())));
    }
    return lines;
  }

  private static String ratio(double value, double anchor) {
    return String.format("%.2f", value / anchor);
  }
}

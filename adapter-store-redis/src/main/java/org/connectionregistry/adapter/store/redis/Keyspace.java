package org.connectionregistry.adapter.store.redis;

/**
 * Where a client's keys live. One Redis keeps every client in one bucket, under the two keys it
 * has always used. A Redis Cluster spreads clients over {@value #CLUSTER_BUCKETS} buckets, each a
 * pair of keys with the same hash tag ({@code connreg:{b07}:statuses} and {@code
 * connreg:{b07}:ids}), so both keys of a bucket sit in one slot, and a script that touches them
 * is legal in a cluster, while the buckets spread over the cluster's slots and so over its nodes.
 * No key holds every client.
 *
 * <p>A client's bucket comes from {@link String#hashCode()}, which the Java language fixes for
 * every JVM, so every server finds a client in the same bucket. The number of buckets is part of
 * the data's layout: changing it would need the data moved.
 */
record Keyspace(int buckets, String[] statusesKeys, String[] idsKeys) {

  static final int CLUSTER_BUCKETS = 64;

  /** One Redis: one bucket, the layout of earlier versions. */
  static Keyspace single() {
    return new Keyspace(1, new String[] {"connreg:statuses"}, new String[] {"connreg:ids"});
  }

  /** A Redis Cluster: {@value #CLUSTER_BUCKETS} buckets, each with its own hash tag. */
  static Keyspace cluster() {
    String[] statuses = new String[CLUSTER_BUCKETS];
    String[] ids = new String[CLUSTER_BUCKETS];
    for (int b = 0; b < CLUSTER_BUCKETS; b++) {
      String tag = String.format("{b%02d}", b);
      statuses[b] = "connreg:" + tag + ":statuses";
      ids[b] = "connreg:" + tag + ":ids";
    }
    return new Keyspace(CLUSTER_BUCKETS, statuses, ids);
  }

  int bucketOf(String clientId) {
    if (buckets == 1) {
      return 0;
    }
    int h = clientId.hashCode();
    return Math.floorMod(h ^ (h >>> 16), buckets);
  }

  String statusesKey(int bucket) {
    return statusesKeys[bucket];
  }

  String idsKey(int bucket) {
    return idsKeys[bucket];
  }
}

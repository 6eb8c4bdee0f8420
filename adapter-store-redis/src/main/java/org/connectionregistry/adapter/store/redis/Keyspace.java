package org.connectionregistry.adapter.store.redis;

/**
 * Where the registry's keys live. One Redis keeps every client in one bucket, under the keys it
 * has always used ({@code connreg:statuses}, {@code connreg:ids}) and a few more beside them. A
 * Redis Cluster spreads clients over {@value #CLUSTER_BUCKETS} buckets, each a group of keys with
 * the same hash tag ({@code connreg:{b07}:statuses}, {@code connreg:{b07}:ids}...), so every key
 * of a bucket sits in one slot, and a script that touches them is legal in a cluster, while the
 * buckets spread over the cluster's slots and so over its nodes. No key holds every client.
 *
 * <p>A bucket is four keys: the status of each client (a hash), the IDs in order (a sorted set),
 * the revision and time of each client's last change (a hash, {@code REVISION:EPOCH_MILLIS}), and
 * the bucket's counts of connected and disconnected clients (a hash keyed by status label).
 *
 * <p>The change log is two keys: the registry's revision (a counter) and its recent changes (a
 * Redis Stream whose entry IDs are {@code REVISION-0}). On one Redis they sit beside the bucket;
 * on a cluster they share their own hash tag, {@code {log}}, so one script can take the next
 * revision and append the change.
 *
 * <p>A client's bucket comes from {@link String#hashCode()}, which the Java language fixes for
 * every JVM, so every server finds a client in the same bucket. The number of buckets is part of
 * the data's layout: changing it would need the data moved.
 */
record Keyspace(
    int buckets,
    String[] statusesKeys,
    String[] idsKeys,
    String[] revisionsKeys,
    String[] countsKeys,
    String revisionKey,
    String changesKey) {

  static final int CLUSTER_BUCKETS = 64;

  /** One Redis: one bucket, the layout of earlier versions and the change log beside it. */
  static Keyspace single() {
    return new Keyspace(
        1,
        new String[] {"connreg:statuses"},
        new String[] {"connreg:ids"},
        new String[] {"connreg:revisions"},
        new String[] {"connreg:counts"},
        "connreg:revision",
        "connreg:changes");
  }

  /** A Redis Cluster: {@value #CLUSTER_BUCKETS} buckets, each with its own hash tag. */
  static Keyspace cluster() {
    String[] statuses = new String[CLUSTER_BUCKETS];
    String[] ids = new String[CLUSTER_BUCKETS];
    String[] revisions = new String[CLUSTER_BUCKETS];
    String[] counts = new String[CLUSTER_BUCKETS];
    for (int b = 0; b < CLUSTER_BUCKETS; b++) {
      String tag = String.format("{b%02d}", b);
      statuses[b] = "connreg:" + tag + ":statuses";
      ids[b] = "connreg:" + tag + ":ids";
      revisions[b] = "connreg:" + tag + ":revisions";
      counts[b] = "connreg:" + tag + ":counts";
    }
    return new Keyspace(
        CLUSTER_BUCKETS, statuses, ids, revisions, counts, "connreg:{log}:revision", "connreg:{log}:changes");
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

  String revisionsKey(int bucket) {
    return revisionsKeys[bucket];
  }

  String countsKey(int bucket) {
    return countsKeys[bucket];
  }

  /** The four keys of a bucket, in the order the scripts take them. */
  String[] bucketKeys(int bucket) {
    return new String[] {statusesKeys[bucket], idsKeys[bucket], revisionsKeys[bucket], countsKeys[bucket]};
  }
}

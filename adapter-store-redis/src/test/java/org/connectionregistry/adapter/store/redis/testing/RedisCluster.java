package org.connectionregistry.adapter.store.redis.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real Redis Cluster for tests: six {@code redis-server --cluster-enabled yes} on free ports of
 * 127.0.0.1, joined by {@code redis-cli --cluster create ... --cluster-replicas 1}, so three
 * masters each with a replica. The node timeout is two seconds, so a killed master is failed over
 * within a few seconds. Needs {@code redis-cli} beside {@code redis-server} (Debian's {@code
 * redis-tools}); fails, never skips, without it.
 */
public final class RedisCluster implements AutoCloseable {

  private static final int NODES = 6;
  private static final String NODE_TIMEOUT_MILLIS = "2000";

  private final List<RedisServer> nodes;

  private RedisCluster(List<RedisServer> nodes) {
    this.nodes = nodes;
  }

  /** Starts six nodes, forms the cluster and waits until every node says it is ok. */
  public static RedisCluster start() throws IOException, InterruptedException {
    List<RedisServer> nodes = new ArrayList<>();
    RedisCluster cluster = new RedisCluster(nodes);
    try {
      for (int i = 0; i < NODES; i++) {
        nodes.add(
            RedisServer.start(
                List.of(
                    "--cluster-enabled", "yes",
                    "--cluster-config-file", "nodes.conf",
                    "--cluster-node-timeout", NODE_TIMEOUT_MILLIS,
                    // A replica may take over however long it lost touch with its master: on a
                    // loaded test machine, replication can lag for a while.
                    "--cluster-replica-validity-factor", "0")));
      }
      cluster.create();
      cluster.awaitOk(nodes, 30);
      return cluster;
    } catch (IOException | InterruptedException | RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /** {@code redis-cluster://127.0.0.1:P1,...} with every node. */
  public String uri() {
    return "redis-cluster://"
        + nodes.stream().map(node -> "127.0.0.1:" + node.port()).collect(Collectors.joining(","));
  }

  public List<RedisServer> nodes() {
    return List.copyOf(nodes);
  }

  /** Empties every master (replicas follow). */
  public void flushAll() throws IOException {
    for (RedisServer node : nodes) {
      if (node.isRunning() && isMaster(node)) {
        node.command("FLUSHALL");
      }
    }
  }

  /** The running node that is master of the slot of {@code key}, for a test to kill. */
  public RedisServer masterOf(String key) throws IOException {
    long slot = Long.parseLong(anyRunning().command("CLUSTER", "KEYSLOT", key));
    for (String line : anyRunning().command("CLUSTER", "NODES").split("\n")) {
      String[] fields = line.split(" ");
      if (fields.length < 9 || !fields[2].contains("master") || fields[2].contains("fail")) {
        continue;
      }
      for (int i = 8; i < fields.length; i++) {
        String[] range = fields[i].split("-");
        long from = Long.parseLong(range[0]);
        long to = range.length > 1 ? Long.parseLong(range[1]) : from;
        if (slot >= from && slot <= to) {
          int port = Integer.parseInt(fields[1].substring(fields[1].indexOf(':') + 1, fields[1].indexOf('@')));
          return nodes.stream().filter(node -> node.port() == port).findFirst().orElseThrow();
        }
      }
    }
    throw new IllegalStateException("No master serves slot " + slot);
  }

  /** Stops every node (SIGTERM); their cluster configuration stays for {@link #restart}. */
  public void stop() throws InterruptedException {
    for (RedisServer node : nodes) {
      node.stop();
    }
  }

  /** Starts every stopped node again, empty but with its place in the cluster, and waits for ok. */
  public void restart() throws IOException, InterruptedException {
    for (RedisServer node : nodes) {
      if (!node.isRunning()) {
        node.restart();
      }
    }
    awaitOk(nodes, 60);
  }

  /** Whether every node is running. */
  public boolean isRunning() {
    return nodes.stream().allMatch(RedisServer::isRunning);
  }

  /**
   * The master that holds {@code clientId}'s bucket in the store's cluster layout. (The layout is
   * the adapter's; this helper asks for the slot of the bucket's hash tag, which is all a key's
   * slot depends on.)
   */
  public RedisServer masterOfClient(String clientId) throws IOException {
    int h = clientId.hashCode();
    int bucket = Math.floorMod(h ^ (h >>> 16), 64);
    return masterOf(String.format("{b%02d}", bucket));
  }

  /** Waits until the running nodes agree that the cluster is ok again (all slots served). */
  public void awaitOk(long timeoutSeconds) throws IOException, InterruptedException {
    awaitOk(nodes.stream().filter(RedisServer::isRunning).toList(), timeoutSeconds);
  }

  @Override
  public void close() throws IOException, InterruptedException {
    for (RedisServer node : nodes) {
      node.close();
    }
  }

  private void create() throws IOException, InterruptedException {
    Path cli = RedisServer.binary().resolveSibling("redis-cli");
    if (!Files.isExecutable(cli)) {
      throw new IllegalStateException(
          "The Redis Cluster tests need redis-cli next to " + RedisServer.binary()
              + "; install it, e.g. 'apt-get install redis-tools' on Debian/Ubuntu.");
    }
    List<String> command = new ArrayList<>(List.of(cli.toString(), "--cluster", "create"));
    nodes.forEach(node -> command.add("127.0.0.1:" + node.port()));
    command.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IllegalStateException("redis-cli --cluster create failed:\n" + output);
    }
  }

  private static void awaitOk(List<RedisServer> nodes, long timeoutSeconds)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (true) {
      boolean ok = true;
      for (RedisServer node : nodes) {
        if (!node.command("CLUSTER", "INFO").contains("cluster_state:ok")) {
          ok = false;
          break;
        }
      }
      if (ok) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("The Redis Cluster was not ok within " + timeoutSeconds + " s");
      }
      Thread.sleep(100);
    }
  }

  private RedisServer anyRunning() {
    return nodes.stream().filter(RedisServer::isRunning).findFirst().orElseThrow();
  }

  private static boolean isMaster(RedisServer node) throws IOException {
    return node.command("INFO", "replication").contains("role:master");
  }
}

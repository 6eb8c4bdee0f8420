package org.connectionregistry.adapter.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.connectionregistry.domain.Stages.await;

import io.qameta.allure.Story;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.adapter.store.redis.testing.RedisCluster;
import org.connectionregistry.adapter.store.redis.testing.RedisServer;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionRegistry;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.EngineOutageContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Redis Cluster store: the registry contract on a real six-node cluster")
class RedisClusterRegistryTest extends EngineOutageContract {

  private static RedisCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = RedisCluster.start();
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Override
  protected ConnectionRegistry newRegistry() {
    try {
      if (!cluster.isRunning()) {
        cluster.restart(); // a test before this one took it away
      }
      cluster.flushAll();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return RedisConnectionRegistry.connectCluster(cluster.uri());
  }

  /** The whole cluster goes away. */
  @Override
  protected void loseEngine() throws InterruptedException {
    cluster.stop();
  }

  @Test
  @Story("Redis Cluster store")
  @DisplayName("clients spread over every master, and no key holds every client")
  void clientsSpreadOverTheCluster() throws IOException {
    int count = 3_000;
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ids.add("user_" + i);
    }
    recordAll(ids, ConnectionStatus.CONNECTED);

    long stored = 0;
    Set<Integer> mastersWithClients = new HashSet<>();
    for (int bucket = 0; bucket < Keyspace.CLUSTER_BUCKETS; bucket++) {
      String idsKey = Keyspace.cluster().idsKey(bucket);
      RedisServer master = cluster.masterOf(idsKey);
      long inBucket = Long.parseLong(master.command("ZCARD", idsKey));
      assertThat(inBucket).as("clients in %s", idsKey).isBetween(1L, count / 10L);
      assertThat(master.command("HLEN", Keyspace.cluster().statusesKey(bucket))).isEqualTo(String.valueOf(inBucket));
      stored += inBucket;
      mastersWithClients.add(master.port());
    }
    assertThat(stored).isEqualTo(count);
    for (String id : ids.subList(0, 20)) {
      // The end-to-end tests find a client's master through the test helper: it must agree.
      assertThat(cluster.masterOfClient(id).port())
          .isEqualTo(cluster.masterOf(Keyspace.cluster().statusesKey(Keyspace.cluster().bucketOf(id))).port());
    }
    assertThat(mastersWithClients).hasSize(3);
    assertThat(await(registry.listAll())).hasSize(count);
  }

  @Test
  @Story("Redis Cluster store")
  @DisplayName("a listing merges the buckets in client-ID order, page by page, though a hash entry is missing")
  void listingMergesBucketsInOrder() throws IOException {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      ids.add(String.format("c%05d", i));
    }
    recordAll(ids, ConnectionStatus.DISCONNECTED);
    String damaged = ids.get(4_095);
    Keyspace keyspace = Keyspace.cluster();
    String statuses = keyspace.statusesKey(keyspace.bucketOf(damaged));
    assertThat(cluster.masterOf(statuses).command("HDEL", statuses, damaged)).isEqualTo("1");
    ids.remove(damaged);

    List<ClientConnection> all = await(registry.listAll());

    assertThat(all).extracting(client -> client.clientId().value()).containsExactlyElementsOf(ids);
  }

  @Test
  @Story("Redis Cluster store")
  @DisplayName("a URI that is not redis-cluster://HOST:PORT[,HOST:PORT...] is rejected saying what is expected")
  void malformedClusterUriIsRejected() {
    for (String uri : new String[] {"redis-cluster://", "redis-cluster://host", "redis-cluster://h:1,", "redis-cluster://h:x", "redis://h:1"}) {
      assertThatThrownBy(() -> RedisConnectionRegistry.connectCluster(uri))
          .as(uri)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Invalid Redis Cluster URI: expected redis-cluster://HOST:PORT[,HOST:PORT...], got '" + uri + "'");
    }
  }

  /** Records the clients with at most 500 calls in flight, as a server's callers would keep it. */
  private void recordAll(List<String> ids, ConnectionStatus status) {
    for (int from = 0; from < ids.size(); from += 500) {
      List<CompletableFuture<?>> writes = new ArrayList<>();
      for (String id : ids.subList(from, Math.min(from + 500, ids.size()))) {
        writes.add(registry.record(ClientId.of(id), status).toCompletableFuture());
      }
      CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).orTimeout(60, TimeUnit.SECONDS).join();
    }
  }
}

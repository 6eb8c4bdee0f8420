package org.connectionregistry.adapter.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.connectionregistry.domain.Stages.await;

import io.qameta.allure.Allure;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.adapter.store.redis.testing.RedisCluster;
import org.connectionregistry.adapter.store.redis.testing.RedisServer;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.RegistryUnavailableException;
import org.connectionregistry.domain.Stages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A master of a real cluster is killed while one registry object stays in use. */
@Feature("Storage")
@DisplayName("Redis Cluster store: a master is killed, and the cluster fails over")
class RedisClusterFailoverTest {

  /** No call may take longer than this, failover or not: the command timeout and a margin. */
  private static final Duration CALL_BOUND = Duration.ofSeconds(3);

  private RedisCluster cluster;
  private RedisConnectionRegistry registry;

  @BeforeEach
  void start() throws Exception {
    cluster = RedisCluster.start();
    registry = RedisConnectionRegistry.connectCluster(cluster.uri());
  }

  @AfterEach
  void stop() throws Exception {
    if (registry != null) {
      registry.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Story("Redis Cluster store")
  @DisplayName("killing a master: its clients' calls fail as unavailable within their bound, then succeed again by themselves")
  void failoverIsUnavailableThenRecovers() throws Exception {
    ClientId victim = ClientId.of("user_1");
    Keyspace keyspace = Keyspace.cluster();
    await(registry.record(victim, ConnectionStatus.CONNECTED));
    RedisServer master = cluster.masterOf(keyspace.statusesKey(keyspace.bucketOf(victim.value())));

    master.kill();
    long killedAt = System.nanoTime();

    List<String> failures = new ArrayList<>();
    long recoveredAt = 0;
    long deadline = killedAt + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      long start = System.nanoTime();
      CompletableFuture<?> call =
          registry.record(victim, ConnectionStatus.DISCONNECTED).toCompletableFuture();
      try {
        call.get(CALL_BOUND.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        recoveredAt = System.nanoTime();
        break;
      } catch (java.util.concurrent.ExecutionException e) {
        Throwable cause = Stages.cause(e);
        assertThat(cause).isInstanceOf(RegistryUnavailableException.class);
        assertThat(cause.getMessage()).startsWith(registry + " is unavailable: ");
        failures.add(cause.getMessage());
      }
      assertThat(Duration.ofNanos(System.nanoTime() - start)).as("one call's time").isLessThanOrEqualTo(CALL_BOUND);
      Thread.sleep(50);
    }

    assertThat(recoveredAt)
        .as("calls succeed again within 60 s of the kill; failures: %s; cluster: %s",
            new java.util.TreeSet<>(failures), cluster.nodes().stream().filter(RedisServer::isRunning).findFirst().orElseThrow().command("CLUSTER", "NODES"))
        .isPositive();
    Duration outage = Duration.ofNanos(recoveredAt - killedAt);
    Allure.addAttachment("failover", "calls failed for " + outage.toMillis() + " ms after the kill, "
        + failures.size() + " failed calls; first: " + (failures.isEmpty() ? "-" : failures.get(0)));
    System.out.println("Redis Cluster failover: calls failed for " + outage.toMillis() + " ms after the master was killed ("
        + failures.size() + " failed calls)");
    assertThat(failures).as("calls made while the master was down failed").isNotEmpty();
    assertThat(await(registry.statusOf(victim))).contains(ConnectionStatus.DISCONNECTED);
  }
}

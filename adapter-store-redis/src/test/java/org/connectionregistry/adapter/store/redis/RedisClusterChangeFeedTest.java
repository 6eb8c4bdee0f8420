package org.connectionregistry.adapter.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.connectionregistry.adapter.store.redis.FeedReading.changesAfter;
import static org.connectionregistry.domain.Stages.await;

import io.qameta.allure.Allure;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.adapter.store.redis.testing.RedisCluster;
import org.connectionregistry.adapter.store.redis.testing.RedisServer;
import org.connectionregistry.domain.ChangeCursor;
import org.connectionregistry.domain.ChangeReason;
import org.connectionregistry.domain.ClientChange;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientCounts;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.RevisionCompactedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The change feed on a real six-node Redis Cluster, shared by two registries (servers). */
@Feature("Watch")
@Story("Redis Cluster change feed")
@DisplayName("Redis Cluster store: revisions and a change feed shared by every server on the cluster")
class RedisClusterChangeFeedTest {

  private RedisCluster cluster;
  private final List<RedisConnectionRegistry> registries = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    cluster = RedisCluster.start();
  }

  @AfterEach
  void stop() throws Exception {
    registries.forEach(RedisConnectionRegistry::close);
    if (cluster != null) {
      cluster.close();
    }
  }

  private RedisConnectionRegistry open() {
    RedisConnectionRegistry registry = RedisConnectionRegistry.connectCluster(cluster.uri(), 10_000);
    registries.add(registry);
    return registry;
  }

  @Test
  @Story("Redis Cluster change feed")
  @DisplayName("changes through two servers at once reach both feeds in one order, and replaying the feed gives the listing and the counts")
  void changesReachEveryServerInOneOrder() throws Exception {
    RedisConnectionRegistry one = open();
    RedisConnectionRegistry two = open();
    List<CompletableFuture<ClientConnection>> writes = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      RedisConnectionRegistry through = i % 2 == 0 ? one : two;
      ConnectionStatus status = i % 3 == 0 ? ConnectionStatus.DISCONNECTED : ConnectionStatus.CONNECTED;
      writes.add(through.record(ClientId.of("c" + (i % 300)), status, ChangeReason.ofMessage(status)).toCompletableFuture());
    }
    writes.forEach(w -> w.orTimeout(30, TimeUnit.SECONDS).join());
    long latest = await(one.counts()).revision();

    List<ClientChange> onOne = changesAfter(one.changes(), 0, (int) latest, 20);
    List<ClientChange> onTwo = changesAfter(two.changes(), 0, (int) latest, 20);

    assertThat(onOne).hasSize((int) latest).isEqualTo(onTwo);
    assertThat(onOne).extracting(ClientChange::revision).isSorted().doesNotHaveDuplicates();
    Map<ClientId, ClientConnection> replayed = new TreeMap<>(Comparator.comparing(ClientId::value));
    onOne.forEach(c -> replayed.put(c.clientId(), c.entry()));
    assertThat(await(two.listAll())).containsExactlyElementsOf(replayed.values());
    long connected = replayed.values().stream().filter(c -> c.status() == ConnectionStatus.CONNECTED).count();
    assertThat(await(two.counts())).isEqualTo(new ClientCounts(connected, replayed.size() - connected, latest));
  }

  @Test
  @Story("Redis Cluster change feed")
  @DisplayName("a change logged but never written to its bucket (a server died between the two steps) is repaired by the next server that starts")
  void halfDoneChangeIsRepairedAtStart() throws Exception {
    RedisConnectionRegistry one = open();
    ClientConnection connected = await(one.record(ClientId.of("half"), ConnectionStatus.CONNECTED));
    one.close();
    // What a server that died after step 1 leaves: the log has revision 2, the bucket does not.
    RedisServer logMaster = cluster.masterOf("connreg:{log}:changes");
    logMaster.command("XADD", "connreg:{log}:changes", "2-0", "client", "half", "status", "disconnected",
        "reason", "session lost", "at", String.valueOf(System.currentTimeMillis()), "origin", "dead");
    logMaster.command("SET", "connreg:{log}:revision", "2");

    RedisConnectionRegistry later = open();

    ClientConnection listed = await(later.listAll()).get(0);
    assertThat(listed.revision()).isEqualTo(2);
    assertThat(listed.status()).isEqualTo(ConnectionStatus.DISCONNECTED);
    assertThat(connected.revision()).isEqualTo(1);
    assertThat(await(later.counts())).isEqualTo(new ClientCounts(0, 1, 2));
  }

  @Test
  @Story("Redis Cluster change feed")
  @DisplayName("killing the master of the log's slot: the feed on another server never reorders or repeats a change, and every change acknowledged after the failover arrives")
  void failoverOfTheLogNeitherReordersNorRepeats() throws Exception {
    RedisConnectionRegistry writer = open();
    RedisConnectionRegistry watcherServer = open();
    ChangeCursor watcher = watcherServer.changes().openAfter(0, () -> {});
    List<ClientChange> delivered = new ArrayList<>();
    List<Long> resets = new ArrayList<>();
    Map<String, ClientConnection> lastAcknowledged = new LinkedHashMap<>();
    List<ClientConnection> acknowledgedBeforeKill = new ArrayList<>();
    List<ClientConnection> acknowledgedAfterRecovery = new ArrayList<>();

    int i = 0;
    for (; i < 200; i++) {
      acknowledgedBeforeKill.add(write(writer, i, lastAcknowledged));
      drain(watcher, delivered);
    }
    RedisServer logMaster = cluster.masterOf("connreg:{log}:changes");
    logMaster.kill();
    long killedAt = System.nanoTime();
    int failed = 0;
    while (acknowledgedAfterRecovery.size() < 200) {
      assertThat(System.nanoTime() - killedAt).as("writes succeed again within 60 s").isLessThan(TimeUnit.SECONDS.toNanos(60));
      try {
        acknowledgedAfterRecovery.add(write(writer, i++, lastAcknowledged));
      } catch (RuntimeException e) {
        failed++;
        Thread.sleep(50);
      }
      try {
        drain(watcher, delivered);
      } catch (RevisionCompactedException e) {
        resets.add(e.compacted());
        watcher.close();
        watcher = watcherServer.changes().openAfter(e.compacted(), () -> {});
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    long lastWanted = acknowledgedAfterRecovery.get(acknowledgedAfterRecovery.size() - 1).revision();
    while ((delivered.isEmpty() || delivered.get(delivered.size() - 1).revision() < lastWanted) && System.nanoTime() < deadline) {
      try {
        drain(watcher, delivered);
      } catch (RevisionCompactedException e) {
        // A reader noticed the lost writes late: the watcher lists again and goes on from there.
        resets.add(e.compacted());
        watcher.close();
        watcher = watcherServer.changes().openAfter(e.compacted(), () -> {});
      }
      Thread.sleep(10);
    }
    watcher.close();

    assertThat(delivered).extracting(ClientChange::revision).as("never reordered or repeated").isSorted().doesNotHaveDuplicates();
    Set<ClientConnection> seen = new HashSet<>();
    delivered.forEach(c -> seen.add(c.entry()));
    long lastReset = resets.isEmpty() ? 0 : resets.get(resets.size() - 1);
    assertThat(acknowledgedAfterRecovery.stream().filter(c -> c.revision() > lastReset).toList())
        .as("every change acknowledged after the failover (and after the feed's last reset) reaches the watcher")
        .isNotEmpty()
        .allMatch(seen::contains);
    // The listing agrees with the last change acknowledged for each client.
    for (ClientConnection last : lastAcknowledged.values()) {
      assertThat(await(watcherServer.listAll())).contains(last);
    }
    long lost = acknowledgedBeforeKill.stream().filter(c -> !seen.contains(c)).count();
    String report = "log master killed: " + failed + " writes failed during the failover; " + resets.size()
        + " feed reset(s); " + lost + " of " + acknowledgedBeforeKill.size()
        + " changes acknowledged before the kill never reached the watcher";
    System.out.println("Redis Cluster log failover: " + report);
    Allure.addAttachment("log failover", report);
  }

  private static ClientConnection write(RedisConnectionRegistry writer, int i, Map<String, ClientConnection> last) {
    String id = "f" + (i % 20);
    ConnectionStatus status = (i / 20) % 2 == 0 ? ConnectionStatus.CONNECTED : ConnectionStatus.DISCONNECTED;
    ClientConnection entry =
        writer.record(ClientId.of(id), status).toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).join();
    last.put(id, entry);
    return entry;
  }

  private static void drain(ChangeCursor cursor, List<ClientChange> into) {
    List<ClientChange> read;
    while (!(read = cursor.poll(1000)).isEmpty()) {
      into.addAll(read);
    }
  }
}

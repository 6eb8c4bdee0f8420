package org.connectionregistry.adapter.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.connectionregistry.adapter.store.redis.FeedReading.changesAfter;
import static org.connectionregistry.domain.Stages.await;

import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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

/** The change feed of the Redis store, shared by several registries (servers) on one Redis. */
@Feature("Watch")
@Story("Redis change feed")
@DisplayName("Redis store: revisions and a change feed shared by every server on one Redis")
class RedisChangeFeedTest {

  private RedisServer redis;
  private final List<RedisConnectionRegistry> registries = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    redis = RedisServer.start();
  }

  @AfterEach
  void stop() throws Exception {
    registries.forEach(RedisConnectionRegistry::close);
    if (redis != null) {
      redis.close();
    }
  }

  private RedisConnectionRegistry open(int historyCapacity) {
    RedisConnectionRegistry registry = RedisConnectionRegistry.connect(redis.uri(), historyCapacity);
    registries.add(registry);
    return registry;
  }

  private static ClientConnection change(
      RedisConnectionRegistry registry, String id, ConnectionStatus status, ChangeReason reason) {
    return await(registry.record(ClientId.of(id), status, reason));
  }

  private static List<String> words(List<ClientChange> changes) {
    return changes.stream()
        .map(c -> c.revision() + " " + c.clientId().value() + " " + c.status().label() + " (" + c.reason().label() + ")")
        .toList();
  }

  @Test
  @Story("Redis change feed")
  @DisplayName("a change made through one server reaches a watcher on another, in order, each once, with its reason and time")
  void changesReachTheOtherServer() throws Exception {
    RedisConnectionRegistry one = open(1000);
    RedisConnectionRegistry two = open(1000);
    try (ChangeCursor watcher = two.changes().openAfter(0, () -> {})) {
      List<ClientConnection> made = new ArrayList<>();
      made.add(change(one, "a", ConnectionStatus.CONNECTED, ChangeReason.HELLO));
      made.add(change(two, "b", ConnectionStatus.CONNECTED, ChangeReason.SESSION_STARTED));
      made.add(change(one, "a", ConnectionStatus.DISCONNECTED, ChangeReason.SESSION_LOST));
      change(one, "a", ConnectionStatus.DISCONNECTED, ChangeReason.GOODBYE); // no change
      made.add(change(two, "b", ConnectionStatus.DISCONNECTED, ChangeReason.GOODBYE));

      List<ClientChange> seen = FeedReading.read(watcher, 4, 10);

      assertThat(words(seen))
          .containsExactly(
              made.get(0).revision() + " a connected (hello)",
              made.get(1).revision() + " b connected (session started)",
              made.get(2).revision() + " a disconnected (session lost)",
              made.get(3).revision() + " b disconnected (goodbye)");
      assertThat(seen).extracting(ClientChange::entry).containsExactlyElementsOf(made);
      assertThat(FeedReading.read(watcher, 1, 1)).as("nothing more: the repeated Goodbye was no change").isEmpty();
    }
    assertThat(changesAfter(one.changes(), 0, 4, 10)).extracting(ClientChange::revision).hasSize(4).isSorted();
  }

  @Test
  @Story("Redis change feed")
  @DisplayName("changes through two servers at once get distinct revisions, and both servers' feeds show the same sequence")
  void concurrentWritersOnTwoServers() throws Exception {
    RedisConnectionRegistry one = open(10_000);
    RedisConnectionRegistry two = open(10_000);
    List<java.util.concurrent.CompletableFuture<ClientConnection>> writes = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      RedisConnectionRegistry through = i % 2 == 0 ? one : two;
      writes.add(through.record(ClientId.of("c" + (i % 300)), i % 3 == 0 ? ConnectionStatus.DISCONNECTED : ConnectionStatus.CONNECTED)
          .toCompletableFuture());
    }
    writes.forEach(w -> w.orTimeout(30, TimeUnit.SECONDS).join());
    long latest = await(one.counts()).revision();

    List<ClientChange> onOne = changesAfter(one.changes(), 0, (int) latest, 20);
    List<ClientChange> onTwo = changesAfter(two.changes(), 0, (int) latest, 20);

    assertThat(onOne).hasSize((int) latest).isEqualTo(onTwo);
    assertThat(onOne).extracting(ClientChange::revision).isSorted().doesNotHaveDuplicates();
    // Replaying the feed gives the listing, and the counts.
    java.util.Map<ClientId, ClientConnection> replayed = new java.util.TreeMap<>(java.util.Comparator.comparing(ClientId::value));
    onOne.forEach(c -> replayed.put(c.clientId(), c.entry()));
    assertThat(await(two.listAll())).containsExactlyElementsOf(replayed.values());
    long connected = replayed.values().stream().filter(c -> c.status() == ConnectionStatus.CONNECTED).count();
    assertThat(await(two.counts())).isEqualTo(new ClientCounts(connected, replayed.size() - connected, latest));
  }

  @Test
  @Story("Redis change feed")
  @DisplayName("a server started after the changes can resume a watch from a revision the stream still holds")
  void laterServerResumesFromTheStream() throws Exception {
    RedisConnectionRegistry one = open(1000);
    List<ClientConnection> made = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      made.add(change(one, "u" + i, ConnectionStatus.CONNECTED, ChangeReason.HELLO));
    }

    RedisConnectionRegistry later = open(1000);

    List<ClientChange> resumed = changesAfter(later.changes(), made.get(9).revision(), 10, 10);
    assertThat(resumed).extracting(ClientChange::entry).containsExactlyElementsOf(made.subList(10, 20));
    assertThat(later.changes().latestRevision()).isEqualTo(made.get(19).revision());
  }

  @Test
  @Story("Redis change feed")
  @DisplayName("a revision trimmed from the stream gives RevisionCompactedException naming the oldest revision kept")
  void trimmedRevisionIsCompacted() throws Exception {
    RedisConnectionRegistry one = open(5);
    for (int i = 0; i < 300; i++) {
      change(one, "u" + i, ConnectionStatus.CONNECTED, ChangeReason.HELLO);
    }
    long streamLength = Long.parseLong(redis.command("XLEN", "connreg:changes"));
    assertThat(streamLength).as("the stream is trimmed (approximately) to the history size").isLessThan(300);

    RedisConnectionRegistry later = open(5);

    assertThatThrownBy(() -> later.changes().openAfter(10, () -> {}))
        .isInstanceOf(RevisionCompactedException.class)
        .satisfies(e -> assertThat(((RevisionCompactedException) e).compacted()).isEqualTo(295));
    assertThatThrownBy(() -> one.changes().openAfter(10, () -> {})).isInstanceOf(RevisionCompactedException.class);
    assertThat(changesAfter(later.changes(), 295, 5, 10)).extracting(ClientChange::revision)
        .containsExactly(296L, 297L, 298L, 299L, 300L);
  }

  @Test
  @Story("Redis change feed")
  @DisplayName("the stream trimmed by hand while servers follow it: nothing is lost for a watcher that is current")
  void trimmingUnderAFollowingServer() throws Exception {
    RedisConnectionRegistry one = open(1000);
    RedisConnectionRegistry two = open(1000);
    ClientConnection first = change(one, "a", ConnectionStatus.CONNECTED, ChangeReason.HELLO);
    assertThat(changesAfter(two.changes(), 0, 1, 10)).hasSize(1);
    try (ChangeCursor watcher = two.changes().openAfter(first.revision(), () -> {})) {
      redis.command("XTRIM", "connreg:changes", "MAXLEN", "0");
      Thread.sleep(1500); // the reader checks its place once a second

      ClientConnection second = change(one, "b", ConnectionStatus.CONNECTED, ChangeReason.HELLO);

      assertThat(FeedReading.read(watcher, 1, 10)).extracting(ClientChange::entry).containsExactly(second);
    }
  }

  @Test
  @Story("Redis change feed")
  @DisplayName("Redis restarted empty mid-feed: watchers are told to list again, revisions never go back, and the feed goes on")
  void redisRestartMidFeed() throws Exception {
    RedisConnectionRegistry one = open(1000);
    RedisConnectionRegistry two = open(1000);
    ClientConnection before = null;
    for (int i = 0; i < 5; i++) {
      before = change(one, "u" + i, ConnectionStatus.CONNECTED, ChangeReason.HELLO);
    }
    ChangeCursor watcher = two.changes().openAfter(0, () -> {});
    assertThat(FeedReading.read(watcher, 5, 10)).hasSize(5);

    redis.restart(); // empty: nothing persisted
    awaitAvailable(one);
    Thread.sleep(1500); // the readers check their place meanwhile, and find the log empty
    ClientConnection after = awaitRecorded(one, "v", ConnectionStatus.CONNECTED);

    assertThat(after.revision()).as("revisions never go back").isGreaterThan(before.revision());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    RevisionCompactedException told = null;
    while (told == null && System.nanoTime() < deadline) {
      try {
        watcher.poll(100);
        Thread.sleep(20);
      } catch (RevisionCompactedException e) {
        told = e;
      }
    }
    assertThat(told).as("the watcher is told that the changes it saw may be gone").isNotNull();
    watcher.close();
    // Listing again and watching from the listing's revision works.
    assertThat(await(two.listAll())).containsExactly(after);
    long listed = await(two.counts()).revision();
    assertThat(listed).isEqualTo(after.revision());
    ClientConnection next = change(two, "w", ConnectionStatus.DISCONNECTED, ChangeReason.GOODBYE);
    assertThat(changesAfter(two.changes(), listed, 1, 10)).extracting(ClientChange::entry).containsExactly(next);
    assertThat(changesAfter(one.changes(), listed, 1, 10)).extracting(ClientChange::entry).containsExactly(next);
  }

  @Test
  @Story("Redis change feed")
  @DisplayName("statuses written by the previous version (no revisions) are read as they are, counted at first start, and get revisions when they change")
  void previousVersionDataIsMigrated() throws Exception {
    redis.command("HSET", "connreg:statuses", "old_1", "connected");
    redis.command("HSET", "connreg:statuses", "old_2", "disconnected");
    redis.command("HSET", "connreg:statuses", "old_3", "connected");
    for (String id : List.of("old_1", "old_2", "old_3")) {
      redis.command("ZADD", "connreg:ids", "0", id);
    }

    RedisConnectionRegistry registry = open(1000);

    assertThat(await(registry.counts())).isEqualTo(new ClientCounts(2, 1, 0));
    assertThat(await(registry.listAll()))
        .containsExactly(
            new ClientConnection(ClientId.of("old_1"), ConnectionStatus.CONNECTED),
            new ClientConnection(ClientId.of("old_2"), ConnectionStatus.DISCONNECTED),
            new ClientConnection(ClientId.of("old_3"), ConnectionStatus.CONNECTED));
    assertThat(change(registry, "old_1", ConnectionStatus.CONNECTED, ChangeReason.HELLO))
        .as("a repeated status is no change, and the old entry has no revision to give")
        .isEqualTo(new ClientConnection(ClientId.of("old_1"), ConnectionStatus.CONNECTED));
    ClientConnection changed = change(registry, "old_2", ConnectionStatus.CONNECTED, ChangeReason.HELLO);
    assertThat(changed.revision()).isEqualTo(1);
    assertThat(await(registry.counts())).isEqualTo(new ClientCounts(3, 0, 1));
    assertThat(changesAfter(registry.changes(), 0, 1, 10)).extracting(ClientChange::entry).containsExactly(changed);
    // A second start does not count again.
    RedisConnectionRegistry again = open(1000);
    assertThat(await(again.counts())).isEqualTo(new ClientCounts(3, 0, 1));
  }

  @Test
  @Story("Redis change feed")
  @DisplayName("a history capacity below 1 is refused with a message naming it")
  void invalidCapacityIsRefused() {
    assertThatThrownBy(() -> RedisConnectionRegistry.connect(redis.uri(), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("history capacity")
        .hasMessageContaining("0");
  }

  private static void awaitAvailable(RedisConnectionRegistry registry) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!registry.isAvailable()) {
      assertThat(System.nanoTime()).as("registry reconnected within 20 s").isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  private static ClientConnection awaitRecorded(RedisConnectionRegistry registry, String id, ConnectionStatus status)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try {
        return await(registry.record(ClientId.of(id), status));
      } catch (RuntimeException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }
}

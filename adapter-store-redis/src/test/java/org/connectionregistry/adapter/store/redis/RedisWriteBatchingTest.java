package org.connectionregistry.adapter.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.connectionregistry.domain.Stages.await;

import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.connectionregistry.adapter.store.redis.testing.RedisServer;
import org.connectionregistry.domain.ChangeReason;
import org.connectionregistry.domain.ClientChange;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientCounts;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.RegistryUnavailableException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Many calls in flight at once, which the store writes in batches: every call still gets its own
 * right answer, and a batch that fails or a registry that closes leaves no call waiting.
 */
@Feature("Storage")
@Story("Redis store")
@DisplayName("Redis store: many calls in flight, written in batches")
class RedisWriteBatchingTest {

  private static final int THREADS = 8;
  private static final int CALLS_PER_THREAD = 400;

  private RedisServer redis;
  private RedisConnectionRegistry registry;
  private ExecutorService threads;

  @BeforeEach
  void start() throws Exception {
    redis = RedisServer.start();
    registry = RedisConnectionRegistry.connect(redis.uri(), 100_000);
    threads = Executors.newFixedThreadPool(THREADS);
  }

  @AfterEach
  void stop() throws Exception {
    threads.shutdownNow();
    if (registry != null) {
      registry.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  /** What one call asked for and the stage of its answer. */
  private record Call(ClientId clientId, ConnectionStatus status, CompletionStage<ClientConnection> answer) {}

  @Test
  @Story("Redis store")
  @DisplayName("thousands of calls in flight from several threads to overlapping clients all get right answers, and the counts, revisions and feed agree with them")
  void concurrentCallsGetTheirOwnAnswers() throws Exception {
    // Each thread has clients of its own (their answers are known in advance) and shares ten
    // clients with every other thread; no thread waits for an answer before sending its next call.
    List<Future<List<Call>>> sent = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int thread = t;
      sent.add(threads.submit(() -> {
        List<Call> calls = new ArrayList<>();
        for (int i = 0; i < CALLS_PER_THREAD; i++) {
          ClientId id = i % 2 == 0 ? ClientId.of("own_" + thread + "_" + (i % 20)) : ClientId.of("shared_" + (i % 10));
          // Every third call repeats the status before it: no change.
          ConnectionStatus status = (i / 3) % 2 == 0 ? ConnectionStatus.CONNECTED : ConnectionStatus.DISCONNECTED;
          calls.add(new Call(id, status, registry.record(id, status, ChangeReason.HELLO)));
        }
        return calls;
      }));
    }
    List<Call> calls = new ArrayList<>();
    for (Future<List<Call>> thread : sent) {
      calls.addAll(thread.get(30, TimeUnit.SECONDS));
    }
    List<ClientConnection> answers = new ArrayList<>();
    for (Call call : calls) {
      answers.add(call.answer().toCompletableFuture().get(30, TimeUnit.SECONDS));
    }

    ClientCounts counts = await(registry.counts());
    List<ClientChange> feed = FeedReading.changesAfter(registry.changes(), 0, (int) counts.revision(), 20);

    assertThat(feed).as("every change once, revisions 1, 2, 3... in order").hasSize((int) counts.revision());
    for (int i = 0; i < feed.size(); i++) {
      assertThat(feed.get(i).revision()).isEqualTo(i + 1L);
    }
    Map<Long, ClientChange> byRevision = new HashMap<>();
    Map<ClientId, ConnectionStatus> replayed = new HashMap<>();
    for (ClientChange change : feed) {
      byRevision.put(change.revision(), change);
      assertThat(replayed.get(change.clientId()))
          .as("a change of %s at revision %d is a change", change.clientId(), change.revision())
          .isNotEqualTo(change.status());
      replayed.put(change.clientId(), change.status());
    }
    for (int i = 0; i < calls.size(); i++) {
      Call call = calls.get(i);
      ClientConnection answer = answers.get(i);
      assertThat(answer.clientId()).isEqualTo(call.clientId());
      assertThat(answer.status()).isEqualTo(call.status());
      ClientChange logged = byRevision.get(answer.revision());
      assertThat(logged).as("the change call %d was answered with is in the feed", i).isNotNull();
      assertThat(logged.entry()).isEqualTo(answer);
    }
    // A thread's own clients see only that thread's calls, in its order: a change gets a new,
    // higher revision, a repeat the revision of the change before it.
    Map<ClientId, ClientConnection> last = new HashMap<>();
    int ownChanges = 0;
    for (int i = 0; i < calls.size(); i++) {
      Call call = calls.get(i);
      if (!call.clientId().value().startsWith("own_")) {
        continue;
      }
      ClientConnection before = last.get(call.clientId());
      ClientConnection answer = answers.get(i);
      if (before != null && before.status() == call.status()) {
        assertThat(answer).as("a repeat of %s's status", call.clientId()).isEqualTo(before);
      } else {
        ownChanges++;
        assertThat(answer.revision()).isGreaterThan(before == null ? 0 : before.revision());
      }
      last.put(call.clientId(), answer);
    }
    assertThat(feed.stream().filter(c -> c.clientId().value().startsWith("own_")).count()).isEqualTo(ownChanges);

    long connected = replayed.values().stream().filter(s -> s == ConnectionStatus.CONNECTED).count();
    assertThat(counts.connected()).isEqualTo(connected);
    assertThat(counts.disconnected()).isEqualTo(replayed.size() - connected);
    assertThat(await(registry.listAll())).hasSize(replayed.size());
    for (Map.Entry<ClientId, ConnectionStatus> client : replayed.entrySet()) {
      assertThat(await(registry.statusOf(client.getKey()))).contains(client.getValue());
      assertThat(redis.command("HGET", "connreg:statuses", client.getKey().value())).isEqualTo(client.getValue().label());
    }
    assertThat(redis.command("GET", "connreg:revision")).isEqualTo(String.valueOf(counts.revision()));
  }

  @Test
  @Story("Redis store")
  @DisplayName("when redis-server is killed while calls wait in the queue, every waiting call fails with an error naming the store, none hangs, and the registry works again once Redis is back")
  void aFailedBatchFailsEveryQueuedCall() throws Exception {
    await(registry.record(ClientId.of("before"), ConnectionStatus.CONNECTED));
    // Redis holds writes for a while: the first batch waits in Redis, the calls behind it queue.
    assertThat(redis.command("CLIENT", "PAUSE", "10000", "WRITE")).isEqualTo("OK");
    List<CompletableFuture<ClientConnection>> waiting = sendMany(2_000);
    awaitQueued();

    redis.kill();

    String unavailable = "Redis at 127.0.0.1:" + redis.port() + " is unavailable: ";
    for (CompletableFuture<ClientConnection> call : waiting) {
      assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS))
          .as("a call queued when Redis died fails (never hangs)")
          .isNotInstanceOf(TimeoutException.class)
          .cause()
          .isInstanceOf(RegistryUnavailableException.class)
          .hasMessageStartingWith(unavailable)
          .hasMessageNotContaining("\n");
    }

    redis.restart(); // empty
    awaitAvailable();
    ClientConnection after = await(registry.record(ClientId.of("after"), ConnectionStatus.CONNECTED));
    assertThat(after.revision()).as("revisions go on above what this server saw").isGreaterThan(1);
    assertThat(await(registry.statusOf(ClientId.of("after")))).contains(ConnectionStatus.CONNECTED);
    assertThat(redis.command("HGET", "connreg:statuses", "after")).isEqualTo("connected");
  }

  @Test
  @Story("Redis store")
  @DisplayName("closing the registry while calls wait in the queue fails each of them as closed, at once, and later calls too")
  void closeFailsQueuedCalls() throws Exception {
    assertThat(redis.command("CLIENT", "PAUSE", "10000", "WRITE")).isEqualTo("OK");
    List<CompletableFuture<ClientConnection>> waiting = sendMany(1_000);
    awaitQueued();

    registry.close();

    String closed = "Redis at 127.0.0.1:" + redis.port() + " is closed";
    for (CompletableFuture<ClientConnection> call : waiting) {
      assertThatThrownBy(() -> call.get(5, TimeUnit.SECONDS))
          .isNotInstanceOf(TimeoutException.class)
          .cause()
          .isInstanceOf(RegistryUnavailableException.class)
          .hasMessage(closed);
    }
    assertThatThrownBy(() -> await(registry.record(ClientId.of("late"), ConnectionStatus.CONNECTED)))
        .isInstanceOf(RegistryUnavailableException.class)
        .hasMessage(closed);
    redis.command("CLIENT", "UNPAUSE");
  }

  @Test
  @Story("Redis store")
  @DisplayName("a lone call under no load is written at once and answers like any other")
  void aLoneCallGoesAtOnce() {
    ClientConnection first = await(registry.record(ClientId.of("solo"), ConnectionStatus.CONNECTED));
    ClientConnection repeat = await(registry.record(ClientId.of("solo"), ConnectionStatus.CONNECTED));
    ClientConnection second = await(registry.record(ClientId.of("solo"), ConnectionStatus.DISCONNECTED));

    assertThat(first.revision()).isEqualTo(1);
    assertThat(repeat).as("a repeat is no change: the same entry").isEqualTo(first);
    assertThat(second.revision()).isEqualTo(2);
    assertThat(await(registry.counts())).isEqualTo(new ClientCounts(0, 1, 2));
    assertThat(registry.queuedWrites()).isZero();
  }

  /** Sends {@code count} changes to 50 clients without waiting for any answer. */
  private List<CompletableFuture<ClientConnection>> sendMany(int count) {
    List<CompletableFuture<ClientConnection>> calls = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ConnectionStatus status = i % 3 == 0 ? ConnectionStatus.DISCONNECTED : ConnectionStatus.CONNECTED;
      calls.add(registry.record(ClientId.of("user_" + (i % 50)), status).toCompletableFuture());
    }
    return calls;
  }

  private void awaitQueued() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (registry.queuedWrites() == 0) {
      assertThat(System.nanoTime()).as("calls queued behind the batch Redis holds").isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  private void awaitAvailable() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!registry.isAvailable()) {
      assertThat(System.nanoTime()).as("registry reconnected within 20 s").isLessThan(deadline);
      Thread.sleep(50);
    }
  }
}

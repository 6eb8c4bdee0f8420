package org.connectionregistry.adapter.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.connectionregistry.domain.Stages.await;

import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.connectionregistry.adapter.store.redis.testing.RedisServer;
import org.connectionregistry.application.port.in.HoldSessionUseCase.Session;
import org.connectionregistry.application.port.in.HoldSessionUseCase.SessionListener;
import org.connectionregistry.application.port.in.SessionEnd;
import org.connectionregistry.application.port.out.SessionLedger;
import org.connectionregistry.application.service.ConnectionService;
import org.connectionregistry.application.service.ScheduledTimer;
import org.connectionregistry.application.service.SessionService;
import org.connectionregistry.domain.ChangeCursor;
import org.connectionregistry.domain.ChangeReason;
import org.connectionregistry.domain.ClientChange;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.InMemoryConnectionRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Several servers' sessions on one real redis-server: each "server" is a session service with its
 * own {@link RedisSessionLedger}, all over one shared registry (the in-memory one, whose change
 * feed shows the reasons). A server "dies" when its ledger stops without a word, as a process
 * killed with SIGKILL does: its heartbeat lapses and its account stays behind.
 */
@Feature("Live presence")
@DisplayName("Redis session ledger: the sessions of a server that dies are expired by the others")
class RedisSessionLedgerTest {

  private static final RedisSessionLedger.Timing FAST =
      new RedisSessionLedger.Timing(Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(3));
  private static final Duration GRACE = Duration.ofMillis(200);
  private static final ClientId USER = ClientId.of("user_1");

  private static RedisServer redis;

  private final InMemoryConnectionRegistry registry = new InMemoryConnectionRegistry();
  private final List<Server> servers = new ArrayList<>();

  @BeforeAll
  static void startRedis() throws Exception {
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() throws Exception {
    if (redis != null) {
      redis.close();
    }
  }

  @BeforeEach
  void flush() throws Exception {
    redis.flushAll();
  }

  @AfterEach
  void stopServers() {
    servers.forEach(Server::die);
    registry.close();
  }

  @Test
  @Story("A server that dies has its sessions expired by the others")
  @DisplayName("a session held through server A: A dies, server B records the client disconnected, reason session lost")
  void survivorExpiresDeadServersSessions() throws Exception {
    Server a = server();
    Server b = server();
    ChangeCursor feed = registry.changes().openAfter(registry.changes().latestRevision(), () -> {});
    a.hold(USER);
    assertThat(statusOf(USER)).contains(ConnectionStatus.CONNECTED);

    a.die();
    Duration took = awaitStatus(USER, ConnectionStatus.DISCONNECTED, Duration.ofSeconds(10));

    assertThat(took).isLessThan(Duration.ofSeconds(5));
    List<ClientChange> changes = feed.poll(10);
    assertThat(changes)
        .extracting(ClientChange::status, ClientChange::reason)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(ConnectionStatus.CONNECTED, ChangeReason.SESSION_STARTED),
            org.assertj.core.groups.Tuple.tuple(ConnectionStatus.DISCONNECTED, ChangeReason.SESSION_LOST));
    assertThat(changes.get(1).reason().label()).isEqualTo("session lost");
    awaitTrue(() -> !await(b.ledger.servers()).contains(a.ledger.server()), Duration.ofSeconds(5));
  }

  @Test
  @Story("Several sessions per client ID")
  @DisplayName("a client holding sessions on two servers stays connected when one of them dies")
  void heldOnAnotherServerStaysConnected() throws Exception {
    Server a = server();
    Server b = server();
    a.hold(USER);
    b.hold(USER);

    a.die();
    // Wait until B has dropped A's account: A's IDs have been dealt with by then.
    awaitTrue(() -> !await(b.ledger.servers()).contains(a.ledger.server()), Duration.ofSeconds(10));

    assertThat(statusOf(USER)).contains(ConnectionStatus.CONNECTED);
    assertThat(registry.changes().latestRevision()).isEqualTo(1); // nothing after the first connect
  }

  @Test
  @Story("Several sessions per client ID")
  @DisplayName("a client with sessions on two servers: one ends, it stays connected; the other ends, it is disconnected")
  void endingOnOneServerKeepsTheOther() throws Exception {
    Server a = server();
    Server b = server();
    Session onA = a.hold(USER);
    Session onB = b.hold(USER);

    onA.end();
    awaitTrue(() -> a.sessions.presenceCount() == 0, Duration.ofSeconds(5));
    Thread.sleep(300);
    assertThat(statusOf(USER)).contains(ConnectionStatus.CONNECTED);

    onB.end();
    awaitStatus(USER, ConnectionStatus.DISCONNECTED, Duration.ofSeconds(5));
  }

  @Test
  @Story("A server that dies has its sessions expired by the others")
  @DisplayName("of two survivors looking at once, exactly one is handed a dead server's sessions")
  void exactlyOneSurvivorClaims() throws Exception {
    RedisSessionLedger dead = RedisSessionLedger.connect(redis.uri(), FAST);
    await(dead.hold(USER));
    dead.close();
    RedisSessionLedger one = RedisSessionLedger.connect(redis.uri(), FAST);
    RedisSessionLedger other = RedisSessionLedger.connect(redis.uri(), FAST);
    try {
      Thread.sleep(FAST.ttl().toMillis() + 200); // the dead heartbeat lapses, the survivors are sure
      CompletableFuture<List<SessionLedger.Orphans>> first = one.claimOrphans().toCompletableFuture();
      CompletableFuture<List<SessionLedger.Orphans>> second = other.claimOrphans().toCompletableFuture();
      List<SessionLedger.Orphans> claimed = new ArrayList<>(first.join());
      claimed.addAll(second.join());

      assertThat(claimed).hasSize(1);
      assertThat(claimed.get(0).server()).isEqualTo(dead.server());
      assertThat(claimed.get(0).ids()).containsExactly(USER);
      assertThat(one.claimOrphans().toCompletableFuture().join()).isEmpty(); // still claimed
    } finally {
      one.close();
      other.close();
    }
  }

  @Test
  @Story("A server that dies has its sessions expired by the others")
  @DisplayName("a live server's sessions are never claimed, and count as held for the others")
  void liveServerIsNotClaimed() throws Exception {
    RedisSessionLedger live = RedisSessionLedger.connect(redis.uri(), FAST);
    RedisSessionLedger other = RedisSessionLedger.connect(redis.uri(), FAST);
    try {
      await(live.hold(USER));
      Thread.sleep(FAST.ttl().toMillis() * 2);

      assertThat(await(other.claimOrphans())).isEmpty();
      assertThat(await(other.heldElsewhere(List.of(USER, ClientId.of("nobody"))))).containsExactly(USER);
      assertThat(await(live.heldElsewhere(List.of(USER)))).isEmpty(); // its own do not count
    } finally {
      live.close();
      other.close();
    }
  }

  @Test
  @Story("A restarted server expires what its predecessor held")
  @DisplayName("a server restarted on the same Redis expires what its predecessor's sessions held")
  void restartedServerExpiresPredecessor() throws Exception {
    Server first = server();
    first.hold(USER);
    first.die();

    server(); // the same server, started again: a new ID, the predecessor is a dead server
    awaitStatus(USER, ConnectionStatus.DISCONNECTED, Duration.ofSeconds(10));
  }

  @Test
  @Story("A server that dies has its sessions expired by the others")
  @DisplayName("a live server taken for dead (its heartbeat lapsed) records its clients connected again")
  void serverTakenForDeadComesBack() throws Exception {
    Server slow =
        new Server(RedisSessionLedger.connect(redis.uri(),
            new RedisSessionLedger.Timing(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(3))));
    servers.add(slow);
    server();
    slow.hold(USER);
    Thread.sleep(FAST.ttl().toMillis() + 200); // the other server is sure of its own heartbeat

    redis.command("DEL", RedisSessionLedger.aliveKey(slow.ledger.server()));
    awaitStatus(USER, ConnectionStatus.DISCONNECTED, Duration.ofSeconds(5));

    awaitStatus(USER, ConnectionStatus.CONNECTED, Duration.ofSeconds(5));
    assertThat(redis.command("SISMEMBER", RedisSessionLedger.heldKey(slow.ledger.server()), USER.value()))
        .isEqualTo("1");
  }

  private Server server() {
    Server server = new Server(RedisSessionLedger.connect(redis.uri(), FAST));
    servers.add(server);
    return server;
  }

  private Optional<ConnectionStatus> statusOf(ClientId id) {
    return await(registry.statusOf(id));
  }

  private Duration awaitStatus(ClientId id, ConnectionStatus wanted, Duration within) throws InterruptedException {
    long start = System.nanoTime();
    awaitTrue(() -> statusOf(id).equals(Optional.of(wanted)), within);
    return Duration.ofNanos(System.nanoTime() - start);
  }

  private static void awaitTrue(java.util.function.BooleanSupplier condition, Duration within)
      throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not so within " + within);
      }
      Thread.sleep(20);
    }
  }

  /** One server's share of live presence: a session service over its own ledger. */
  private final class Server {
    final RedisSessionLedger ledger;
    final ScheduledTimer timer = new ScheduledTimer("session-expiry");
    final SessionService sessions;

    Server(RedisSessionLedger ledger) {
      this.ledger = ledger;
      this.sessions = new SessionService(new ConnectionService(registry), registry, ledger, timer, GRACE);
      sessions.reapEvery(FAST.heartbeat());
    }

    Session hold(ClientId id) throws Exception {
      CompletableFuture<Void> connected = new CompletableFuture<>();
      Session session =
          sessions.hold(
              id,
              new SessionListener() {
                @Override
                public void connected() {
                  connected.complete(null);
                }

                @Override
                public void ended(SessionEnd reason) {}

                @Override
                public void failed(Throwable failure) {
                  connected.completeExceptionally(failure);
                }
              });
      connected.get(5, java.util.concurrent.TimeUnit.SECONDS);
      return session;
    }

    /** Stops at once, without ending its sessions: its heartbeat lapses, its account stays. */
    void die() {
      sessions.stopReaping();
      timer.close();
      ledger.close();
    }
  }
}

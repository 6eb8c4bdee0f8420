package org.connectionregistry.application.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.connectionregistry.application.port.in.HoldSessionUseCase.Session;
import org.connectionregistry.application.port.in.HoldSessionUseCase.SessionListener;
import org.connectionregistry.application.port.in.SendMessageCommand;
import org.connectionregistry.application.port.in.SessionEnd;
import org.connectionregistry.application.port.out.SessionLedger;
import org.connectionregistry.domain.ChangeFeed;
import org.connectionregistry.domain.ChangeReason;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientCounts;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionRegistry;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.InMemoryConnectionRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The rules of live presence, with a clock the test moves by hand. */
@Feature("Live presence")
@DisplayName("Sessions: connected while one lives, disconnected on their own after the grace")
class SessionServiceTest {

  private static final Duration GRACE = Duration.ofSeconds(2);
  private static final ClientId USER = ClientId.of("user_1");

  private final RecordingRegistry registry = new RecordingRegistry();
  private final MemoryLedger ledger = new MemoryLedger();
  private final ManualTimer timer = new ManualTimer();
  private final ConnectionService plain = new ConnectionService(registry);
  private SessionService sessions = new SessionService(plain, registry, ledger, timer, GRACE);

  @AfterEach
  void close() {
    registry.close();
  }

  @Test
  @Story("A session marks its client connected")
  @DisplayName("opening a session records the client connected and tells the holder")
  void sessionConnects() {
    Heard heard = new Heard();
    sessions.hold(USER, heard);

    assertThat(statusOf(USER)).contains(ConnectionStatus.CONNECTED);
    assertThat(heard.events).containsExactly("connected");
    assertThat(ledger.ids).containsExactly(USER);
  }

  @Test
  @Story("A lost session disconnects after the grace")
  @DisplayName("a lost session leaves the client connected through the grace, then disconnected")
  void lostSessionExpiresAfterGrace() {
    sessions.hold(USER, new Heard()).drop();

    timer.advance(GRACE.minusMillis(1));
    assertThat(statusOf(USER)).contains(ConnectionStatus.CONNECTED);
    timer.advance(Duration.ofMillis(1));
    assertThat(statusOf(USER)).contains(ConnectionStatus.DISCONNECTED);
    assertThat(ledger.ids).isEmpty();
    assertThat(sessions.presenceCount()).isZero();
    assertThat(registry.reasons)
        .containsExactly(ChangeReason.SESSION_STARTED, ChangeReason.SESSION_LOST);
  }

  @Test
  @Story("No flicker")
  @DisplayName("a client that comes back within the grace is never written disconnected")
  void reconnectWithinGraceNeverFlickers() {
    sessions.hold(USER, new Heard()).drop();
    timer.advance(GRACE.minusMillis(100));
    Heard back = new Heard();
    sessions.hold(USER, back);
    timer.advance(GRACE.multipliedBy(5));

    assertThat(registry.writes).containsExactly(USER.value() + "=connected");
    assertThat(back.events).containsExactly("connected");
    assertThat(timer.pending()).isZero();
  }

  @Test
  @Story("Several sessions per client ID")
  @DisplayName("a client with two sessions stays connected while either lives")
  void connectedWhileAnySessionLives() {
    Session phone = sessions.hold(USER, new Heard());
    Session laptop = sessions.hold(USER, new Heard());

    phone.drop();
    timer.advance(GRACE.multipliedBy(3));
    assertThat(statusOf(USER)).contains(ConnectionStatus.CONNECTED);

    laptop.drop();
    timer.advance(GRACE);
    assertThat(statusOf(USER)).contains(ConnectionStatus.DISCONNECTED);
    assertThat(registry.writes)
        .containsExactly(USER.value() + "=connected", USER.value() + "=disconnected");
  }

  @Test
  @Story("An ended session disconnects at once")
  @DisplayName("a holder that ends its last session on purpose is disconnected at once")
  void endedSessionDisconnectsAtOnce() {
    Heard heard = new Heard();
    sessions.hold(USER, heard).end();

    assertThat(statusOf(USER)).contains(ConnectionStatus.DISCONNECTED);
    assertThat(heard.events).containsExactly("connected", "ended: session ended");
    assertThat(timer.pending()).isZero();
  }

  @Test
  @Story("Goodbye ends that ID's sessions")
  @DisplayName("Goodbye disconnects a client with sessions and ends every one of them")
  void goodbyeEndsSessions() {
    Heard phone = new Heard();
    Heard laptop = new Heard();
    Session first = sessions.hold(USER, phone);
    sessions.hold(USER, laptop);

    String info = sessions.sendMessage(new SendMessageCommand(USER, "Goodbye")).description();
    first.drop(); // the holder closes its call afterwards: nothing more happens
    timer.advance(GRACE.multipliedBy(3));

    assertThat(info).isEqualTo("Client user_1 marked as disconnected.");
    assertThat(statusOf(USER)).contains(ConnectionStatus.DISCONNECTED);
    assertThat(phone.events).containsExactly("connected", "ended: goodbye");
    assertThat(laptop.events).containsExactly("connected", "ended: goodbye");
    assertThat(registry.writes)
        .containsExactly(USER.value() + "=connected", USER.value() + "=disconnected");
    assertThat(ledger.ids).isEmpty();
  }

  @Test
  @Story("Hello during the grace keeps the client connected")
  @DisplayName("a Hello while a lost session's grace runs calls the expiry off")
  void helloCancelsExpiry() {
    sessions.hold(USER, new Heard()).drop();
    sessions.sendMessage(new SendMessageCommand(USER, "hello"));
    timer.advance(GRACE.multipliedBy(3));

    assertThat(statusOf(USER)).contains(ConnectionStatus.CONNECTED);
    assertThat(ledger.ids).isEmpty();
  }

  @Test
  @Story("Hello and Goodbye without sessions work as before")
  @DisplayName("without sessions, Hello and Goodbye record exactly what they always did")
  void messagesWithoutSessions() {
    sessions.sendMessage(new SendMessageCommand(USER, "Hello"));
    assertThat(statusOf(USER)).contains(ConnectionStatus.CONNECTED);
    sessions.sendMessage(new SendMessageCommand(USER, " GOODBYE "));
    assertThat(statusOf(USER)).contains(ConnectionStatus.DISCONNECTED);
    timer.advance(GRACE.multipliedBy(3));
    assertThat(registry.writes)
        .containsExactly(USER.value() + "=connected", USER.value() + "=disconnected");
  }

  @Test
  @Story("A restarted server expires what its predecessor held")
  @DisplayName("IDs a previous server's sessions held expire after the grace unless they come back")
  void inheritedIdsExpire() {
    ClientId gone = ClientId.of("gone");
    ClientId back = ClientId.of("back");
    registry.record(gone, ConnectionStatus.CONNECTED);
    registry.record(back, ConnectionStatus.CONNECTED);
    ledger.ids.add(gone);
    ledger.ids.add(back);
    registry.writes.clear();
    sessions = new SessionService(plain, registry, ledger, timer, GRACE);

    assertThat(sessions.inheritFromLedger()).isEqualTo(2);
    timer.advance(GRACE.dividedBy(2));
    sessions.hold(back, new Heard());
    timer.advance(GRACE);

    assertThat(statusOf(gone)).contains(ConnectionStatus.DISCONNECTED);
    assertThat(statusOf(back)).contains(ConnectionStatus.CONNECTED);
    // "back" was connected all along: coming back writes nothing.
    assertThat(registry.writes).containsExactly("gone=disconnected");
    assertThat(ledger.ids).containsExactly(back);
  }

  @Test
  @Story("A session marks its client connected")
  @DisplayName("a session the store cannot record fails, and the next one tries afresh")
  void sessionFailsWhileStoreIsDown() {
    registry.down = true;
    Heard failed = new Heard();
    sessions.hold(USER, failed);
    registry.down = false;
    Heard next = new Heard();
    sessions.hold(USER, next);

    assertThat(failed.events).containsExactly("failed: store down");
    assertThat(next.events).containsExactly("connected");
    assertThat(statusOf(USER)).contains(ConnectionStatus.CONNECTED);
  }

  @Test
  @Story("A server that dies has its sessions expired by the others")
  @DisplayName("a dead server's IDs are disconnected as session lost, except those held here or on another live server")
  void orphansExpireUnlessHeldSomewhere() {
    ClientId gone = ClientId.of("gone");
    ClientId heldHere = ClientId.of("held_here");
    ClientId heldElsewhere = ClientId.of("held_elsewhere");
    for (ClientId id : List.of(gone, heldHere, heldElsewhere)) {
      registry.record(id, ConnectionStatus.CONNECTED);
    }
    sessions.hold(heldHere, new Heard());
    ledger.elsewhere.add(heldElsewhere);
    ledger.orphan("dead-server", gone, heldHere, heldElsewhere);
    registry.writes.clear();
    registry.reasons.clear();

    int taken = sessions.reapOrphans().toCompletableFuture().join();

    assertThat(taken).isEqualTo(2); // held_here is left to this server's own session
    assertThat(registry.writes).containsExactly("gone=disconnected");
    assertThat(registry.reasons).containsExactly(ChangeReason.SESSION_LOST);
    assertThat(statusOf(heldHere)).contains(ConnectionStatus.CONNECTED);
    assertThat(statusOf(heldElsewhere)).contains(ConnectionStatus.CONNECTED);
    assertThat(ledger.closedAccounts).containsExactly("dead-server");
  }

  @Test
  @Story("A server that dies has its sessions expired by the others")
  @DisplayName("a dead server's account is kept, to be claimed again, while its IDs cannot be written")
  void orphansKeptWhileStoreIsDown() {
    registry.record(USER, ConnectionStatus.CONNECTED);
    ledger.orphan("dead-server", USER);
    registry.down = true;

    sessions.reapOrphans().toCompletableFuture().handle((taken, failure) -> null).join();

    assertThat(ledger.closedAccounts).isEmpty();
    registry.down = false;
    timer.advance(GRACE); // the failed write is tried again
    assertThat(statusOf(USER)).contains(ConnectionStatus.DISCONNECTED);
  }

  @Test
  @Story("Several sessions per client ID")
  @DisplayName("the last session here ends while a session on another server holds the ID: it stays connected")
  void endingHereWhileHeldElsewhereStaysConnected() {
    Session session = sessions.hold(USER, new Heard());
    ledger.elsewhere.add(USER);

    session.end();

    assertThat(statusOf(USER)).contains(ConnectionStatus.CONNECTED);
    assertThat(ledger.ids).doesNotContain(USER); // freed here all the same
  }

  private Optional<ConnectionStatus> statusOf(ClientId id) {
    return registry.statusOf(id).toCompletableFuture().join();
  }

  /** What a holder heard, in order. */
  private static final class Heard implements SessionListener {
    final List<String> events = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void connected() {
      events.add("connected");
    }

    @Override
    public void ended(SessionEnd reason) {
      events.add("ended: " + reason.label());
    }

    @Override
    public void failed(Throwable failure) {
      events.add("failed: " + failure.getMessage());
    }
  }

  private static final class MemoryLedger implements SessionLedger {
    final Set<ClientId> ids = Collections.synchronizedSet(new LinkedHashSet<>());
    /** What sessions on other servers hold. */
    final Set<ClientId> elsewhere = Collections.synchronizedSet(new LinkedHashSet<>());
    /** Dead servers' accounts, handed out once; the names of those closed. */
    final List<Orphans> orphans = Collections.synchronizedList(new ArrayList<>());
    final List<String> closedAccounts = Collections.synchronizedList(new ArrayList<>());

    void orphan(String server, ClientId... held) {
      orphans.add(
          new Orphans() {
            @Override
            public String server() {
              return server;
            }

            @Override
            public Set<ClientId> ids() {
              return Set.of(held);
            }

            @Override
            public CompletionStage<Void> close() {
              closedAccounts.add(server);
              return CompletableFuture.completedFuture(null);
            }
          });
    }

    @Override
    public CompletionStage<Set<ClientId>> heldElsewhere(java.util.Collection<ClientId> asked) {
      Set<ClientId> held = new LinkedHashSet<>(asked);
      held.retainAll(elsewhere);
      return CompletableFuture.completedFuture(held);
    }

    @Override
    public CompletionStage<List<Orphans>> claimOrphans() {
      List<Orphans> claimed = List.copyOf(orphans);
      orphans.clear();
      return CompletableFuture.completedFuture(claimed);
    }

    @Override
    public CompletionStage<Void> hold(ClientId clientId) {
      ids.add(clientId);
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> release(ClientId clientId) {
      ids.remove(clientId);
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public Set<ClientId> held() {
      return Set.copyOf(ids);
    }

    @Override
    public void close() {}
  }

  /** The in-memory store, noting every write in order; can be made to fail. */
  private static final class RecordingRegistry implements ConnectionRegistry {
    final InMemoryConnectionRegistry memory = new InMemoryConnectionRegistry();
    final List<String> writes = Collections.synchronizedList(new ArrayList<>());
    final List<ChangeReason> reasons = Collections.synchronizedList(new ArrayList<>());
    volatile boolean down;

    @Override
    public CompletionStage<ClientConnection> record(
        ClientId clientId, ConnectionStatus status, ChangeReason reason) {
      if (down) {
        return CompletableFuture.failedFuture(new IllegalStateException("store down"));
      }
      writes.add(clientId.value() + "=" + status.label());
      reasons.add(reason);
      return memory.record(clientId, status, reason);
    }

    @Override
    public CompletionStage<ClientCounts> counts() {
      return memory.counts();
    }

    @Override
    public ChangeFeed changes() {
      return memory.changes();
    }

    @Override
    public CompletionStage<Optional<ConnectionStatus>> statusOf(ClientId clientId) {
      return memory.statusOf(clientId);
    }

    @Override
    public CompletionStage<List<ClientConnection>> list(Optional<ClientId> after, int limit) {
      return memory.list(after, limit);
    }

    @Override
    public boolean isAvailable() {
      return memory.isAvailable();
    }

    @Override
    public void close() {
      memory.close();
    }
  }
}

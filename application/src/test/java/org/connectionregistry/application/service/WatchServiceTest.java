package org.connectionregistry.application.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.connectionregistry.application.port.in.RegistryWatch;
import org.connectionregistry.application.port.in.WatchEvent;
import org.connectionregistry.application.port.in.WatcherTooSlowException;
import org.connectionregistry.domain.ChangeCursor;
import org.connectionregistry.domain.ChangeFeed;
import org.connectionregistry.domain.ChangeHistory;
import org.connectionregistry.domain.ChangeReason;
import org.connectionregistry.domain.ClientChange;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientCounts;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionRegistry;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.InMemoryConnectionRegistry;
import org.connectionregistry.domain.RevisionCompactedException;
import org.connectionregistry.domain.Stages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** List-then-watch over the in-memory store, with a timer the test moves by hand. */
@Feature("Watch")
@DisplayName("Watching the registry: a snapshot, then every change, each once")
class WatchServiceTest {

  private static final Duration INTERVAL = Duration.ofSeconds(5);
  private static final long MAX_LAG = 50;

  private final ManualTimer timer = new ManualTimer();
  private final InMemoryConnectionRegistry registry =
      new InMemoryConnectionRegistry(
          Long.MAX_VALUE, 100, Clock.fixed(Instant.parse("2026-11-25T10:42:03Z"), ZoneOffset.UTC));
  private final AtomicInteger wakes = new AtomicInteger();

  @AfterEach
  void close() {
    registry.close();
  }

  @Test
  @Story("A watch without a revision starts with the registry")
  @DisplayName("a new watch gets the registry as pages, the snapshot's revision, then each later change")
  void snapshotThenChanges() {
    record("a", ConnectionStatus.CONNECTED);
    record("b", ConnectionStatus.CONNECTED);
    record("c", ConnectionStatus.DISCONNECTED);
    WatchService service = service(registry);

    RegistryWatch watch = service.watch(OptionalLong.empty(), wakes::incrementAndGet);
    List<WatchEvent> events = drain(watch, 2);

    assertThat(events)
        .containsExactly(
            new WatchEvent.SnapshotPage(List.of(entry("a"), entry("b"))),
            new WatchEvent.SnapshotPage(List.of(entry("c"))),
            new WatchEvent.SnapshotComplete(3));
    assertThat(watch.revision()).isEqualTo(3);

    ClientConnection d = record("d", ConnectionStatus.CONNECTED);
    awaitWake("the watcher is woken for the change");
    assertThat(drain(watch, 10))
        .containsExactly(new WatchEvent.Changes(List.of(changeOf(d, ChangeReason.HELLO))));
    assertThat(watch.revision()).isEqualTo(4);
  }

  @Test
  @Story("Watchers are counted")
  @DisplayName("the service counts the watches open right now; closing one twice counts once")
  void openWatchesAreCounted() {
    WatchService service = service(registry);

    RegistryWatch first = service.watch(OptionalLong.empty(), wakes::incrementAndGet);
    RegistryWatch second = service.watch(OptionalLong.of(0), wakes::incrementAndGet);
    assertThat(service.openWatches()).isEqualTo(2);
    first.close();
    first.close();

    assertThat(service.openWatches()).isEqualTo(1);
    second.close();
    assertThat(service.openWatches()).isZero();
  }

  @Test
  @Story("A watch without a revision starts with the registry")
  @DisplayName("changes racing the snapshot's pages are handed over once each, and the result is the registry")
  void snapshotRacingChanges() {
    for (int seed = 0; seed < 200; seed++) {
      InMemoryConnectionRegistry store =
          new InMemoryConnectionRegistry(Long.MAX_VALUE, 10_000, Clock.systemUTC());
      Random random = new Random(seed);
      for (int i = 0; i < 20; i++) {
        store.record(ClientId.of("u" + random.nextInt(40)), randomStatus(random));
      }
      // Before every page and while catching up, other callers change the registry.
      Racing racing = new Racing(store, () -> {
        for (int i = random.nextInt(4); i > 0; i--) {
          store.record(ClientId.of("u" + random.nextInt(40)), randomStatus(random));
        }
      });
      RegistryWatch watch = service(racing).watch(OptionalLong.empty(), () -> {});
      Model model = new Model();
      long complete = -1;
      while (complete < 0) {
        Optional<WatchEvent> event = watch.next(3);
        assertThat(event).as("seed %d: the in-memory store never keeps a watcher waiting", seed)
            .isPresent();
        if (event.get() instanceof WatchEvent.SnapshotComplete done) {
          complete = done.revision();
        } else {
          model.apply(event.get(), seed);
        }
        racing.race();
      }
      ListingAt at = listingAt(store, complete);
      assertThat(model.clients).as("seed %d: the snapshot is the registry at %d", seed, complete)
          .isEqualTo(at.clients);
      // And every change after it follows, each once.
      for (int i = 0; i < 10; i++) {
        store.record(ClientId.of("u" + random.nextInt(40)), randomStatus(random));
      }
      for (Optional<WatchEvent> event = watch.next(4); event.isPresent(); event = watch.next(4)) {
        model.apply(event.get(), seed);
      }
      assertThat(model.clients).as("seed %d: after the changes", seed)
          .isEqualTo(byId(Stages.await(store.listAll())));
      watch.close();
      store.close();
    }
  }

  @Test
  @Story("A watch without a revision starts with the registry")
  @DisplayName("pages that come later from the store wake the watcher, one page at a time")
  void asynchronousPages() {
    record("a", ConnectionStatus.CONNECTED);
    record("b", ConnectionStatus.CONNECTED);
    Deferred deferred = new Deferred(registry);
    RegistryWatch watch = service(deferred).watch(OptionalLong.empty(), wakes::incrementAndGet);

    assertThat(watch.next(1)).isEmpty();
    assertThat(deferred.pending).hasSize(1);
    assertThat(watch.next(1)).as("one page in flight at a time").isEmpty();
    assertThat(deferred.pending).hasSize(1);

    deferred.completeNext();
    assertThat(wakes.get()).isEqualTo(1);
    assertThat(watch.next(1)).contains(new WatchEvent.SnapshotPage(List.of(entry("a"))));
    assertThat(watch.next(1)).isEmpty();
    deferred.completeNext();
    assertThat(watch.next(1)).contains(new WatchEvent.SnapshotPage(List.of(entry("b"))));
    assertThat(watch.next(1)).isEmpty();
    deferred.completeNext(); // the empty last page
    assertThat(watch.next(1)).contains(new WatchEvent.SnapshotComplete(2));
  }

  @Test
  @Story("A watch waits for a feed that trails its store")
  @DisplayName("the snapshot completes only once the feed has reached the highest revision listed")
  void waitsForATrailingFeed() {
    Trailing trailing = new Trailing(registry);
    record("a", ConnectionStatus.CONNECTED);
    trailing.deliver();
    record("b", ConnectionStatus.CONNECTED); // listed at revision 2; the feed is still at 1
    RegistryWatch watch = service(trailing).watch(OptionalLong.empty(), wakes::incrementAndGet);

    assertThat(watch.next(10)).contains(new WatchEvent.SnapshotPage(List.of(entry("a"), entry("b"))));
    assertThat(watch.next(10)).as("the feed has not reached revision 2").isEmpty();

    trailing.deliver();
    awaitWake("the watcher is woken when the feed catches up");
    assertThat(watch.next(10))
        .as("change 2 is already shown by the listing")
        .contains(new WatchEvent.SnapshotComplete(2));
  }

  @Test
  @Story("A watch from a revision resumes")
  @DisplayName("a watch after a revision gets exactly the changes after it, in order")
  void resumesAfterARevision() {
    ClientConnection a = record("a", ConnectionStatus.CONNECTED);
    ClientConnection b = record("b", ConnectionStatus.CONNECTED);
    ClientConnection a2 = record("a", ConnectionStatus.DISCONNECTED);

    RegistryWatch watch = service(registry).watch(OptionalLong.of(a.revision()), () -> {});

    assertThat(drain(watch, 10))
        .containsExactly(
            new WatchEvent.Changes(
                List.of(changeOf(b, ChangeReason.HELLO), changeOf(a2, ChangeReason.GOODBYE))));
  }

  @Test
  @Story("A compacted revision is a clear error")
  @DisplayName("a watch after a revision the history no longer keeps fails at once, naming the oldest kept")
  void compactedRevision() {
    for (int i = 0; i < 120; i++) {
      record("u" + i, ConnectionStatus.CONNECTED);
    }
    WatchService service = service(registry);

    assertThatThrownBy(() -> service.watch(OptionalLong.of(3), () -> {}))
        .isInstanceOfSatisfying(
            RevisionCompactedException.class,
            e -> assertThat(e.compacted()).isEqualTo(20));
  }

  @Test
  @Story("Idle watchers are told they are current")
  @DisplayName("after an interval with nothing handed over, the watcher gets a progress with its revision")
  void progressWhenIdle() {
    record("a", ConnectionStatus.CONNECTED);
    RegistryWatch watch = service(registry).watch(OptionalLong.of(1), wakes::incrementAndGet);
    assertThat(watch.next(10)).as("established: current to 1").contains(new WatchEvent.Progress(1));
    assertThat(watch.next(10)).isEmpty();
    timer.advance(INTERVAL);
    assertThat(wakes.get()).as("that progress was handed over in this interval").isZero();

    timer.advance(INTERVAL);

    assertThat(wakes.get()).isEqualTo(1);
    assertThat(watch.next(10)).contains(new WatchEvent.Progress(1));
    assertThat(watch.next(10)).isEmpty();
  }

  @Test
  @Story("Idle watchers are told they are current")
  @DisplayName("a watcher that was handed changes in the interval gets no progress")
  void noProgressWhenBusy() {
    RegistryWatch watch = service(registry).watch(OptionalLong.of(0), wakes::incrementAndGet);
    assertThat(watch.next(10)).contains(new WatchEvent.Progress(0));
    timer.advance(INTERVAL.minusSeconds(1));
    record("a", ConnectionStatus.CONNECTED);
    assertThat(watch.next(10)).get().isInstanceOf(WatchEvent.Changes.class);

    timer.advance(Duration.ofSeconds(1));

    assertThat(watch.next(10)).isEmpty();
    timer.advance(INTERVAL);
    assertThat(watch.next(10)).contains(new WatchEvent.Progress(1));
  }

  @Test
  @Story("A slow watcher is cut off")
  @DisplayName("a watcher more than the max lag behind is cut off on the tick, told where to resume")
  void slowWatcherCutOff() {
    ClientConnection first = record("a", ConnectionStatus.CONNECTED);
    RegistryWatch watch = service(registry).watch(OptionalLong.of(0), wakes::incrementAndGet);
    assertThat(watch.next(1)).isPresent();
    for (int i = 0; i < MAX_LAG + 1; i++) {
      record("u" + i, ConnectionStatus.CONNECTED);
    }

    watch.checkStanding(); // not yet: the cut-off comes with the tick
    timer.advance(INTERVAL);

    assertThat(wakes.get()).isPositive();
    assertThatThrownBy(watch::checkStanding)
        .isInstanceOfSatisfying(
            WatcherTooSlowException.class,
            e -> {
              assertThat(e.resumeAfter()).isEqualTo(first.revision());
              assertThat(e.behind()).isEqualTo(MAX_LAG + 1);
            });
    assertThatThrownBy(() -> watch.next(10)).isInstanceOf(WatcherTooSlowException.class);
    // It lost nothing: a watch after its revision sees every change it missed.
    RegistryWatch resumed = service(registry).watch(OptionalLong.of(first.revision()), () -> {});
    assertThat(resumed.next(1000).orElseThrow())
        .isInstanceOfSatisfying(
            WatchEvent.Changes.class, c -> assertThat(c.changes()).hasSize((int) MAX_LAG + 1));
  }

  @Test
  @Story("A slow watcher is cut off")
  @DisplayName("a watcher within the max lag is not cut off")
  void watcherWithinLagStays() {
    RegistryWatch watch = service(registry).watch(OptionalLong.of(0), wakes::incrementAndGet);
    for (int i = 0; i < MAX_LAG; i++) {
      record("u" + i, ConnectionStatus.CONNECTED);
    }
    timer.advance(INTERVAL);
    watch.checkStanding();
    assertThat(drain(watch, 1000)).hasSize(1);
  }

  @Test
  @Story("A closed watch stops")
  @DisplayName("closing a watch cancels its tick and its notifications")
  void closeStops() {
    RegistryWatch watch = service(registry).watch(OptionalLong.of(0), wakes::incrementAndGet);
    assertThat(timer.pending()).isEqualTo(1);
    assertThat(watch.next(1)).contains(new WatchEvent.Progress(0));
    assertThat(watch.next(1)).isEmpty();

    watch.close();
    record("a", ConnectionStatus.CONNECTED);

    assertThat(timer.pending()).isZero();
    assertThat(wakes.get()).isZero();
    assertThat(watch.next(1)).isEmpty();
  }

  @Test
  @Story("Counts without listing")
  @DisplayName("the counts are the registry's, with its revision")
  void counts() {
    record("a", ConnectionStatus.CONNECTED);
    record("b", ConnectionStatus.DISCONNECTED);
    record("c", ConnectionStatus.CONNECTED);

    assertThat(Stages.await(service(registry).countClientsAsync()))
        .isEqualTo(new ClientCounts(2, 1, 3));
  }

  // ---- helpers ----

  private WatchService service(ConnectionRegistry store) {
    return new WatchService(store, timer, INTERVAL, MAX_LAG);
  }

  private ClientConnection record(String id, ConnectionStatus status) {
    return Stages.await(registry.record(ClientId.of(id), status));
  }

  private ClientConnection entry(String id) {
    return Stages.await(registry.listAll()).stream()
        .filter(c -> c.clientId().value().equals(id))
        .findFirst()
        .orElseThrow();
  }

  private static ClientChange changeOf(ClientConnection entry, ChangeReason reason) {
    return new ClientChange(entry.revision(), entry.clientId(), entry.status(), reason, entry.since());
  }

  private static List<WatchEvent> drain(RegistryWatch watch, int max) {
    List<WatchEvent> events = new ArrayList<>();
    for (Optional<WatchEvent> event = watch.next(max); event.isPresent(); event = watch.next(max)) {
      events.add(event.get());
    }
    return events;
  }

  private static ConnectionStatus randomStatus(Random random) {
    return random.nextBoolean() ? ConnectionStatus.CONNECTED : ConnectionStatus.DISCONNECTED;
  }

  private static Map<ClientId, ClientConnection> byId(List<ClientConnection> clients) {
    Map<ClientId, ClientConnection> byId = new TreeMap<>();
    clients.forEach(c -> byId.put(c.clientId(), c));
    return byId;
  }

  private record ListingAt(Map<ClientId, ClientConnection> clients) {}

  /** The registry as it was at {@code revision}: the current one, with later changes undone from the history. */
  private static ListingAt listingAt(InMemoryConnectionRegistry store, long revision) {
    Map<ClientId, ClientConnection> now = byId(Stages.await(store.listAll()));
    ChangeCursor all = store.changes().openAfter(0, () -> {});
    Map<ClientId, ClientConnection> at = new TreeMap<>();
    for (List<ClientChange> read = all.poll(1000); !read.isEmpty(); read = all.poll(1000)) {
      for (ClientChange change : read) {
        if (change.revision() <= revision) {
          at.put(change.clientId(), change.entry());
        }
      }
    }
    assertThat(now.keySet()).containsAll(at.keySet());
    return new ListingAt(at);
  }

  /** A watcher's picture of the registry, built from its events, that checks nothing repeats. */
  private static final class Model {
    final Map<ClientId, ClientConnection> clients = new TreeMap<>();
    long lastChange;

    void apply(WatchEvent event, int seed) {
      if (event instanceof WatchEvent.SnapshotPage page) {
        for (ClientConnection client : page.clients()) {
          assertThat(clients).as("seed %d: listed once", seed).doesNotContainKey(client.clientId());
          clients.put(client.clientId(), client);
        }
      } else if (event instanceof WatchEvent.Changes changes) {
        for (ClientChange change : changes.changes()) {
          assertThat(change.revision()).as("seed %d: in order, each once", seed).isGreaterThan(lastChange);
          lastChange = change.revision();
          ClientConnection known = clients.get(change.clientId());
          if (known != null) {
            assertThat(known.revision()).as("seed %d: not already shown", seed)
                .isLessThan(change.revision());
          }
          clients.put(change.clientId(), change.entry());
        }
      }
    }
  }

  /** A store whose listing races other callers: before each page, {@code race} runs. */
  private static final class Racing extends Delegating {
    private final Runnable race;

    Racing(ConnectionRegistry inner, Runnable race) {
      super(inner);
      this.race = race;
    }

    void race() {
      race.run();
    }

    @Override
    public CompletionStage<List<ClientConnection>> list(Optional<ClientId> after, int limit) {
      race.run();
      return super.list(after, limit);
    }
  }

  /** A store whose pages arrive when the test says. */
  private static final class Deferred extends Delegating {
    final List<Runnable> pending = new ArrayList<>();

    Deferred(ConnectionRegistry inner) {
      super(inner);
    }

    @Override
    public CompletionStage<List<ClientConnection>> list(Optional<ClientId> after, int limit) {
      CompletableFuture<List<ClientConnection>> page = new CompletableFuture<>();
      pending.add(() -> super.list(after, limit).thenAccept(page::complete));
      return page;
    }

    void completeNext() {
      pending.remove(0).run();
    }
  }

  /** A store whose feed trails it, as a Redis feed trails the write: changes reach it on {@link #deliver()}. */
  private static final class Trailing extends Delegating {
    private final ChangeHistory trailing = new ChangeHistory(100);
    private final ChangeCursor source;

    Trailing(ConnectionRegistry inner) {
      super(inner);
      source = inner.changes().openAfter(inner.changes().latestRevision(), () -> {});
    }

    void deliver() {
      trailing.appendAll(source.poll(1000));
    }

    @Override
    public ChangeFeed changes() {
      return trailing;
    }
  }

  private static class Delegating implements ConnectionRegistry {
    private final ConnectionRegistry inner;

    Delegating(ConnectionRegistry inner) {
      this.inner = inner;
    }

    @Override
    public CompletionStage<ClientConnection> record(
        ClientId clientId, ConnectionStatus status, ChangeReason reason) {
      return inner.record(clientId, status, reason);
    }

    @Override
    public CompletionStage<Optional<ConnectionStatus>> statusOf(ClientId clientId) {
      return inner.statusOf(clientId);
    }

    @Override
    public CompletionStage<List<ClientConnection>> list(Optional<ClientId> after, int limit) {
      return inner.list(after, limit);
    }

    @Override
    public CompletionStage<ClientCounts> counts() {
      return inner.counts();
    }

    @Override
    public ChangeFeed changes() {
      return inner.changes();
    }

    @Override
    public boolean isAvailable() {
      return inner.isAvailable();
    }

    @Override
    public void close() {
      inner.close();
    }

    @Override
    public String toString() {
      return inner.toString();
    }
  }

  /** The feed wakes watchers on its notifier thread, a moment after the change: wait for it. */
  private void awaitWake(String what) {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    while (wakes.get() == 0 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(wakes.get()).as(what).isPositive();
  }

}

package org.connectionregistry.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ConnectionRegistry} promises, whatever keeps the data. Each storage adapter
 * runs this suite by extending it; it is published in the domain's test-jar.
 *
 * <p>Client IDs are ordered like {@link String#compareTo}, that is by UTF-16 code units, in every
 * implementation, so one server and another list the same clients in the same order.
 *
 * <p>The report's feature and story sit on this class, not on its methods: Allure reads no
 * annotations off test methods a subclass inherits.
 */
@Feature("Storage")
@Story("Registry contract")
public abstract class ConnectionRegistryContract {

  private static final ClientId USER_1 = ClientId.of("user_1");

  protected ConnectionRegistry registry;

  /** A new registry, open and empty. The suite closes it after each test. */
  protected abstract ConnectionRegistry newRegistry();

  @BeforeEach
  void openRegistry() {
    registry = newRegistry();
  }

  @AfterEach
  void closeRegistry() {
    if (registry != null) {
      registry.close();
    }
  }

  /** The registry's calls, each awaited: what a caller sees once its stage completes. */
  protected void record(ClientId clientId, ConnectionStatus status) {
    Stages.await(registry.record(clientId, status));
  }

  protected Optional<ConnectionStatus> statusOf(ClientId clientId) {
    return Stages.await(registry.statusOf(clientId));
  }

  /** A page, without revisions and times: what the tests of order and status compare. */
  protected List<ClientConnection> list(Optional<ClientId> after, int limit) {
    return withoutRevisions(Stages.await(registry.list(after, limit)));
  }

  /** Every client, without revisions and times. */
  protected List<ClientConnection> listAll() {
    return withoutRevisions(Stages.await(registry.listAll()));
  }

  private static List<ClientConnection> withoutRevisions(List<ClientConnection> clients) {
    return clients.stream().map(ClientConnection::withoutRevision).toList();
  }

  /** Records a change for a reason and returns the client's entry afterwards. */
  protected ClientConnection change(String clientId, ConnectionStatus status, ChangeReason reason) {
    return Stages.await(registry.record(ClientId.of(clientId), status, reason));
  }

  /** Every client with its revision and time, as the store lists it. */
  protected List<ClientConnection> listAllWithRevisions() {
    return Stages.await(registry.listAll());
  }

  /**
   * The changes after {@code revision} that the feed delivers within a few seconds, waiting until
   * {@code count} have arrived (a store that shares its log through a server delivers a moment
   * after the write).
   */
  protected List<ClientChange> changesAfter(long revision, int count) throws InterruptedException {
    List<ClientChange> seen = new ArrayList<>();
    try (ChangeCursor cursor = registry.changes().openAfter(revision, () -> {})) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (seen.size() < count && System.nanoTime() < deadline) {
        List<ClientChange> read = cursor.poll(1000);
        if (read.isEmpty()) {
          Thread.sleep(5);
        }
        seen.addAll(read);
      }
    }
    return seen;
  }

  @Test
  @DisplayName("every change gets the next revision, and a listing shows each client's revision and since")
  void changesGetIncreasingRevisions() {
    java.time.Instant before = java.time.Instant.now().minusMillis(1000);
    ClientConnection first = change("a", ConnectionStatus.CONNECTED, ChangeReason.HELLO);
    ClientConnection second = change("b", ConnectionStatus.CONNECTED, ChangeReason.SESSION_STARTED);
    ClientConnection third = change("a", ConnectionStatus.DISCONNECTED, ChangeReason.GOODBYE);
    java.time.Instant after = java.time.Instant.now().plusMillis(1000);

    assertThat(first.revision()).isPositive();
    assertThat(second.revision()).isGreaterThan(first.revision());
    assertThat(third.revision()).isGreaterThan(second.revision());
    assertThat(List.of(first.since(), second.since(), third.since()))
        .allSatisfy(since -> assertThat(since).isBetween(before, after));
    assertThat(listAllWithRevisions()).containsExactly(third, second);
  }

  @Test
  @DisplayName("repeating the status a client has changes nothing: same revision, same since, no change in the feed")
  void repeatedStatusIsNoChange() throws InterruptedException {
    ClientConnection connected = change("a", ConnectionStatus.CONNECTED, ChangeReason.HELLO);
    ClientConnection again = change("a", ConnectionStatus.CONNECTED, ChangeReason.HELLO);
    ClientConnection marker = change("b", ConnectionStatus.CONNECTED, ChangeReason.HELLO);

    assertThat(again).isEqualTo(connected);
    assertThat(changesAfter(connected.revision(), 1))
        .extracting(ClientChange::clientId)
        .containsExactly(ClientId.of("b"));
    assertThat(Stages.await(registry.counts()).revision()).isEqualTo(marker.revision());
  }

  @Test
  @DisplayName("the change feed gives every change after a revision, in order, each once, with its reason")
  void feedGivesChangesInOrderWithReasons() throws InterruptedException {
    ClientConnection start = change("x", ConnectionStatus.CONNECTED, ChangeReason.HELLO);
    change("a", ConnectionStatus.CONNECTED, ChangeReason.SESSION_STARTED);
    change("a", ConnectionStatus.DISCONNECTED, ChangeReason.SESSION_LOST);
    change("b", ConnectionStatus.DISCONNECTED, ChangeReason.GOODBYE);
    change("a", ConnectionStatus.CONNECTED, ChangeReason.HELLO);
    change("a", ConnectionStatus.DISCONNECTED, ChangeReason.SESSION_ENDED);

    List<ClientChange> changes = changesAfter(start.revision(), 5);

    assertThat(changes)
        .extracting(c -> c.clientId().value() + " " + c.status().label() + " (" + c.reason().label() + ")")
        .containsExactly(
            "a connected (session started)",
            "a disconnected (session lost)",
            "b disconnected (goodbye)",
            "a connected (hello)",
            "a disconnected (session ended)");
    assertThat(changes).extracting(ClientChange::revision).isSorted().doesNotHaveDuplicates();
    assertThat(changes.get(4).entry()).isIn(listAllWithRevisions());
  }

  @Test
  @DisplayName("counts follow every change without walking the registry")
  void countsFollowChanges() {
    assertThat(Stages.await(registry.counts())).isEqualTo(new ClientCounts(0, 0, 0));
    change("a", ConnectionStatus.CONNECTED, ChangeReason.HELLO);
    change("b", ConnectionStatus.CONNECTED, ChangeReason.HELLO);
    change("c", ConnectionStatus.DISCONNECTED, ChangeReason.GOODBYE);
    ClientConnection last = change("a", ConnectionStatus.DISCONNECTED, ChangeReason.GOODBYE);
    change("a", ConnectionStatus.DISCONNECTED, ChangeReason.GOODBYE);

    ClientCounts counts = Stages.await(registry.counts());

    assertThat(counts.connected()).isEqualTo(1);
    assertThat(counts.disconnected()).isEqualTo(2);
    assertThat(counts.revision()).isEqualTo(last.revision());
  }

  @Test
  @DisplayName("revisions stay unique and ordered when many threads change the registry at once")
  void concurrentChangesGetDistinctRevisions() throws Exception {
    long start = Stages.await(registry.counts()).revision();
    runConcurrently(4, thread -> {
      for (int i = 0; i < 50; i++) {
        change("t" + thread + "_" + i, ConnectionStatus.CONNECTED, ChangeReason.HELLO);
      }
    });

    List<ClientChange> changes = changesAfter(start, 200);

    assertThat(changes).hasSize(200);
    assertThat(changes).extracting(ClientChange::revision).isSorted().doesNotHaveDuplicates();
    assertThat(Stages.await(registry.counts()).connected()).isEqualTo(200);
  }

  @Test
  @DisplayName("a recorded status can be read back")
  void recordedStatusCanBeReadBack() {
    record(USER_1, ConnectionStatus.CONNECTED);

    assertThat(statusOf(USER_1)).contains(ConnectionStatus.CONNECTED);
  }

  @Test
  @DisplayName("a later message overwrites the status: Hello then Goodbye is disconnected")
  void laterStatusOverwritesEarlierOne() {
    record(USER_1, ConnectionStatus.CONNECTED);
    record(USER_1, ConnectionStatus.DISCONNECTED);

    assertThat(statusOf(USER_1)).contains(ConnectionStatus.DISCONNECTED);
    assertThat(listAll())
        .containsExactly(new ClientConnection(USER_1, ConnectionStatus.DISCONNECTED));
  }

  @Test
  @DisplayName("a client that never sent a message has no status")
  void unknownClientHasNoStatus() {
    record(USER_1, ConnectionStatus.CONNECTED);

    assertThat(statusOf(ClientId.of("user_2"))).isEmpty();
    assertThat(statusOf(ClientId.of("User_1"))).isEmpty();
  }

  @Test
  @DisplayName("an empty registry lists no clients")
  void emptyRegistryListsNothing() {
    assertThat(listAll()).isEmpty();
    assertThat(list(Optional.empty(), 10)).isEmpty();
  }

  @Test
  @DisplayName("clients are listed in client-ID order (String order, i.e. UTF-16), any script")
  void clientsAreListedInClientIdOrder() {
    // Written out by hand rather than sorted by the test. The last two differ between UTF-16 and
    // UTF-8 byte order: U+1D400 is a surrogate pair (0xD835...), which sorts before U+FF21.
    List<String> expectedOrder =
        List.of(
            "1", "Jose", "José", "User_001", "Z", "a.b-c_d@e", "user_1", "Ünal", "用户7",
            "\uD835\uDC00", "\uFF21");
    List<String> shuffled = new ArrayList<>(expectedOrder);
    Collections.shuffle(shuffled, new Random(7));
    for (int i = 0; i < shuffled.size(); i++) {
      ConnectionStatus status = i % 2 == 0 ? ConnectionStatus.CONNECTED : ConnectionStatus.DISCONNECTED;
      record(ClientId.of(shuffled.get(i)), status);
    }

    assertThat(ids(listAll())).containsExactlyElementsOf(expectedOrder);
    assertThat(ids(list(Optional.empty(), 100))).containsExactlyElementsOf(expectedOrder);
    assertThat(ids(list(Optional.of(ClientId.of("用户7")), 100)))
        .containsExactly("\uD835\uDC00", "\uFF21");
  }

  @Test
  @DisplayName("listing carries each client's current status")
  void listingCarriesStatuses() {
    record(ClientId.of("b"), ConnectionStatus.CONNECTED);
    record(ClientId.of("a"), ConnectionStatus.DISCONNECTED);
    record(ClientId.of("b"), ConnectionStatus.DISCONNECTED);
    record(ClientId.of("c"), ConnectionStatus.CONNECTED);

    assertThat(listAll())
        .containsExactly(
            new ClientConnection(ClientId.of("a"), ConnectionStatus.DISCONNECTED),
            new ClientConnection(ClientId.of("b"), ConnectionStatus.DISCONNECTED),
            new ClientConnection(ClientId.of("c"), ConnectionStatus.CONNECTED));
  }

  @Test
  @DisplayName("paging with after and limit visits every client once, in order")
  void pagingVisitsEveryClientOnce() {
    List<String> expected = numberedIds("id-", 100);
    List<String> shuffled = new ArrayList<>(expected);
    Collections.shuffle(shuffled, new Random(42));
    shuffled.forEach(id -> record(ClientId.of(id), ConnectionStatus.CONNECTED));

    List<String> seen = new ArrayList<>();
    Optional<ClientId> after = Optional.empty();
    int pages = 0;
    while (true) {
      List<ClientConnection> page = list(after, 7);
      assertThat(page).hasSizeLessThanOrEqualTo(7);
      if (page.isEmpty()) {
        break;
      }
      pages++;
      seen.addAll(ids(page));
      after = Optional.of(page.get(page.size() - 1).clientId());
    }

    assertThat(seen).containsExactlyElementsOf(expected);
    assertThat(pages).isEqualTo(15); // 14 full pages of 7, then 2 clients
  }

  @Test
  @DisplayName("after is exclusive, and need not be a registered client")
  void afterIsExclusiveAndNeedNotExist() {
    List.of("a", "b", "c", "d").forEach(id -> record(ClientId.of(id), ConnectionStatus.CONNECTED));

    assertThat(ids(list(Optional.of(ClientId.of("b")), 10))).containsExactly("c", "d");
    assertThat(ids(list(Optional.of(ClientId.of("b0")), 10))).containsExactly("c", "d");
    assertThat(ids(list(Optional.of(ClientId.of("a")), 2))).containsExactly("b", "c");
    assertThat(list(Optional.of(ClientId.of("d")), 10)).isEmpty();
    assertThat(list(Optional.of(ClientId.of("zzz")), 10)).isEmpty();
  }

  @Test
  @DisplayName("listAll returns every client even beyond one default page of 10,000")
  void listAllReturnsManyClients() throws Exception {
    int count = 25_000;
    List<String> expected = numberedIds("client-", count);
    // Recorded from several threads: that is how a server fills a registry, and it lets durable
    // stores batch their syncs.
    runConcurrently(16, thread -> {
      for (int i = thread; i < count; i += 16) {
        ConnectionStatus status = i % 3 == 0 ? ConnectionStatus.DISCONNECTED : ConnectionStatus.CONNECTED;
        record(ClientId.of(expected.get(i)), status);
      }
    });

    List<ClientConnection> all = listAll();

    assertThat(ids(all)).containsExactlyElementsOf(expected);
    assertThat(all.get(3).status()).isEqualTo(ConnectionStatus.DISCONNECTED);
    assertThat(all.get(24_998).status()).isEqualTo(ConnectionStatus.CONNECTED);
  }

  @Test
  @DisplayName("concurrent writers lose nothing: each client ends with its last write")
  void concurrentWritersLoseNothing() throws Exception {
    int threads = 8;
    int clientsPerThread = 50;
    int writesPerClient = 5;
    // Each thread owns its clients and cycles through them, so the writes of all threads
    // interleave while the last write for every client is known.
    runConcurrently(threads, thread -> {
      for (int round = 0; round < writesPerClient; round++) {
        for (int c = 0; c < clientsPerThread; c++) {
          record(clientOf(thread, c), statusFor(round, c));
        }
      }
    });

    for (int thread = 0; thread < threads; thread++) {
      for (int c = 0; c < clientsPerThread; c++) {
        assertThat(statusOf(clientOf(thread, c)))
            .as("status of %s", clientOf(thread, c))
            .contains(statusFor(writesPerClient - 1, c));
      }
    }
    assertThat(listAll()).hasSize(threads * clientsPerThread);
  }

  @Test
  @DisplayName("concurrent writers to one client leave one of the written statuses")
  void concurrentWritersToOneClient() throws Exception {
    ClientId shared = ClientId.of("shared");
    runConcurrently(8, thread -> {
      for (int i = 0; i < 50; i++) {
        record(shared, thread % 2 == 0 ? ConnectionStatus.CONNECTED : ConnectionStatus.DISCONNECTED);
      }
    });
    record(shared, ConnectionStatus.CONNECTED);

    assertThat(listAll()).containsExactly(new ClientConnection(shared, ConnectionStatus.CONNECTED));
  }

  @Test
  @DisplayName("calls need no thread each: thousands in flight from one thread all complete, and each is kept")
  void manyCallsInFlightFromOneThread() {
    int count = 5_000;
    List<CompletableFuture<ClientConnection>> writes = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      writes.add(registry.record(ClientId.of("f" + i), statusFor(i, 0)).toCompletableFuture());
    }
    CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).orTimeout(60, TimeUnit.SECONDS).join();

    List<CompletableFuture<Optional<ConnectionStatus>>> reads = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      reads.add(registry.statusOf(ClientId.of("f" + i)).toCompletableFuture());
    }
    for (int i = 0; i < count; i++) {
      assertThat(reads.get(i).orTimeout(60, TimeUnit.SECONDS).join()).as("f" + i).contains(statusFor(i, 0));
    }
    assertThat(listAll()).hasSize(count);
  }

  @Test
  @DisplayName("a limit below 1 is rejected with a message naming the limit")
  void invalidLimitIsRejected() {
    record(USER_1, ConnectionStatus.CONNECTED);

    for (int limit : new int[] {0, -1, Integer.MIN_VALUE}) {
      assertThatThrownBy(() -> list(Optional.empty(), limit))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("limit")
          .hasMessageContaining(String.valueOf(limit));
    }
  }

  @Test
  @DisplayName("a registry is available while open, and not once it is closed")
  void registryIsAvailableUntilClosed() {
    assertThat(registry.isAvailable()).isTrue();

    registry.close();

    assertThat(registry.isAvailable()).isFalse();
  }

  @Test
  @DisplayName("after close every call fails with '<store> is closed', and closing again is harmless")
  void closedRegistryRefusesEveryCall() {
    record(USER_1, ConnectionStatus.CONNECTED);
    String closed = registry + " is closed";

    registry.close();
    registry.close();

    assertThatThrownBy(() -> record(USER_1, ConnectionStatus.DISCONNECTED))
        .isInstanceOf(RegistryUnavailableException.class)
        .hasMessage(closed);
    assertThatThrownBy(() -> statusOf(USER_1))
        .isInstanceOf(RegistryUnavailableException.class)
        .hasMessage(closed);
    assertThatThrownBy(() -> list(Optional.empty(), 10))
        .isInstanceOf(RegistryUnavailableException.class)
        .hasMessage(closed);
    assertThatThrownBy(() -> listAll())
        .isInstanceOf(RegistryUnavailableException.class)
        .hasMessage(closed);
  }

  @Test
  @DisplayName("a registry names its store in words, not as a Java object")
  void registryNamesItsStore() {
    assertThat(registry.toString()).isNotBlank().doesNotContain("@").doesNotContain("\n");
  }

  @Test
  @DisplayName("a page is full while more clients follow: only the last page is short")
  void pagesAreFullButTheLast() {
    numberedIds("p", 10).forEach(id -> record(ClientId.of(id), ConnectionStatus.CONNECTED));

    assertThat(list(Optional.empty(), 4)).hasSize(4);
    assertThat(list(Optional.of(ClientId.of("p3")), 4)).hasSize(4);
    assertThat(list(Optional.of(ClientId.of("p7")), 4)).hasSize(2);
  }

  private static ClientId clientOf(int thread, int client) {
    return ClientId.of("t" + thread + "-c" + client);
  }

  private static ConnectionStatus statusFor(int round, int client) {
    return (round + client) % 2 == 0 ? ConnectionStatus.CONNECTED : ConnectionStatus.DISCONNECTED;
  }

  private static List<String> numberedIds(String prefix, int count) {
    String format = prefix + "%0" + String.valueOf(count - 1).length() + "d";
    return IntStream.range(0, count).mapToObj(i -> String.format(format, i)).collect(Collectors.toList());
  }

  private static List<String> ids(List<ClientConnection> connections) {
    List<String> ids = connections.stream().map(c -> c.clientId().value()).collect(Collectors.toList());
    Set<String> distinct = new HashSet<>(ids);
    assertThat(distinct).as("no client listed twice").hasSameSizeAs(ids);
    return ids;
  }

  /** What one thread does; may throw, which fails the test. */
  protected interface ThreadWork {
    void run(int thread) throws Exception;
  }

  /** Runs the work on {@code threads} threads, started together, and rethrows any failure. */
  protected static void runConcurrently(int threads, ThreadWork work) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          start.await();
          work.run(thread);
          return null;
        }));
      }
      start.countDown();
      for (Future<?> future : futures) {
        future.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(10, TimeUnit.SECONDS);
    }
  }
}

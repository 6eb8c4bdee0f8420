package org.connectionregistry.adapter.grpc.watch;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.connectionregistry.adapter.grpc.Loopback;
import org.connectionregistry.adapter.grpc.WatchMessages;
import org.connectionregistry.adapter.grpc.client.GrpcConnectionClient;
import org.connectionregistry.adapter.grpc.client.GrpcWatchClient;
import org.connectionregistry.adapter.grpc.server.ClientServiceEndpoint;
import org.connectionregistry.adapter.grpc.server.GrpcServer;
import org.connectionregistry.application.port.in.FollowRegistryUseCase;
import org.connectionregistry.application.port.in.SendMessageCommand;
import org.connectionregistry.application.port.in.WatchEvent;
import org.connectionregistry.application.service.ConnectionService;
import org.connectionregistry.application.service.ScheduledTimer;
import org.connectionregistry.application.service.WatchService;
import org.connectionregistry.domain.ChangeCursor;
import org.connectionregistry.domain.ClientChange;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientCounts;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.InMemoryConnectionRegistry;
import org.connectionregistry.domain.RevisionCompactedException;
import org.connectionregistry.domain.Stages;
import org.connectionregistry.proto.ClientServiceGrpc;
import org.connectionregistry.proto.ListClientsRequest;
import org.connectionregistry.proto.ListClientsResponse;
import org.connectionregistry.proto.WatchRequest;
import org.connectionregistry.proto.WatchResponse;
import org.connectionregistry.testsupport.TcpProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Watch over the real transport: a Netty server on loopback with the watch service on the
 * in-memory store, our watch client on a Netty channel, and a TCP proxy where the network has to
 * break.
 */
@Feature("Watch")
@DisplayName("Watch over gRPC on loopback: every change once, across breaks, with progress and a cut-off")
class WatchOverNettyTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private InMemoryConnectionRegistry registry;
  private ConnectionService plain;
  private final ScheduledTimer timer = new ScheduledTimer("test-watch-progress");
  private final ExecutorService senders = Executors.newFixedThreadPool(2);
  private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor();
  private GrpcServer server;
  private TcpProxy proxy;
  private final List<ManagedChannel> channels = new ArrayList<>();

  private void serve(int history, Duration progress, long maxLag) throws Exception {
    registry = new InMemoryConnectionRegistry(Long.MAX_VALUE, history, Clock.systemUTC());
    plain = new ConnectionService(registry);
    WatchService watches = new WatchService(registry, timer, progress, maxLag);
    server =
        new GrpcServer(
                Loopback.serverBuilder(),
                new ClientServiceEndpoint(
                    plain,
                    plain,
                    plain,
                    null,
                    new ClientServiceEndpoint.Watching(watches, watches, senders)))
            .start();
    proxy = new TcpProxy(server.port());
  }

  @AfterEach
  void stop() throws Exception {
    for (ManagedChannel channel : channels) {
      Loopback.close(channel);
    }
    if (proxy != null) {
      proxy.close();
    }
    if (server != null) {
      server.stop(Duration.ZERO);
    }
    retries.shutdownNow();
    senders.shutdownNow();
    timer.close();
    if (registry != null) {
      registry.close();
    }
  }

  @Test
  @Story("A watcher resumes after a broken connection")
  @DisplayName("a watcher sees exactly the changes made, in order, across a broken connection")
  void exactlyTheChangesAcrossABreak() throws Exception {
    serve(10_000, Duration.ofMillis(200), 5_000);
    send("early_1", "Hello");
    send("early_2", "Goodbye");
    Recorder recorder = new Recorder();
    GrpcWatchClient client = watchClient(proxy.port());

    try (FollowRegistryUseCase.Following following = client.follow(OptionalLong.empty(), recorder)) {
      recorder.awaitComplete();
      for (int i = 0; i < 50; i++) {
        send("user_" + (i % 7), i % 3 == 0 ? "Goodbye" : "Hello");
      }
      recorder.awaitRevision(registry.changes().latestRevision());

      proxy.cut();
      recorder.awaitInterrupted();
      for (int i = 0; i < 50; i++) {
        send("user_" + (i % 11), i % 2 == 0 ? "Goodbye" : "Hello");
      }
      recorder.awaitRevision(registry.changes().latestRevision());

      assertThat(recorder.resumedAfter).hasSize(1);
      assertThat(recorder.resumedAfter.get(0)).isPresent();
      assertThat(recorder.changes()).as("every change after the snapshot, in order, each once")
          .containsExactlyElementsOf(history(recorder.snapshotRevision));
      assertThat(recorder.repeats).isEmpty();
      assertThat(recorder.model).isEqualTo(registryNow());
    }
  }

  @Test
  @Story("A watcher resumes after a broken connection")
  @DisplayName("a connection that breaks during the snapshot starts a new snapshot, and the watcher ends up with the registry")
  void breakDuringTheSnapshot() throws Exception {
    serve(10_000, Duration.ofSeconds(5), 5_000);
    for (int i = 0; i < 5_000; i++) {
      send(String.format("user_%05d", i), i % 2 == 0 ? "Hello" : "Goodbye");
    }
    CountDownLatch firstPage = new CountDownLatch(1);
    CountDownLatch cut = new CountDownLatch(1);
    Recorder recorder = new Recorder() {
      @Override
      public void event(WatchEvent event) {
        if (event instanceof WatchEvent.SnapshotPage && firstPage.getCount() > 0) {
          firstPage.countDown();
          try {
            cut.await(WAIT.toSeconds(), TimeUnit.SECONDS); // the rest of the snapshot waits
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        super.event(event);
      }
    };

    // A small window: the server cannot send the whole snapshot ahead of the stalled watcher.
    ManagedChannel small =
        NettyChannelBuilder.forAddress(Loopback.HOST, proxy.port())
            .usePlaintext()
            .flowControlWindow(65_535)
            .build();
    channels.add(small);
    GrpcWatchClient client =
        new GrpcWatchClient(small, Loopback.target(proxy.port()), Duration.ofSeconds(5), retries);

    try (FollowRegistryUseCase.Following following = client.follow(OptionalLong.empty(), recorder)) {
      assertThat(firstPage.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      proxy.cut();
      send("user_00001", "Hello"); // changed while the watcher is away
      cut.countDown();
      recorder.awaitComplete();
      recorder.awaitRevision(registry.changes().latestRevision());

      assertThat(recorder.resumedAfter).containsExactly(OptionalLong.empty());
      assertThat(recorder.model).isEqualTo(registryNow());
    }
  }

  @Test
  @Story("A compacted revision is a clear error")
  @DisplayName("a watch after a revision the server no longer keeps is OUT_OF_RANGE, naming the oldest it can start after")
  void outOfRange() throws Exception {
    serve(10, Duration.ofSeconds(5), 5);
    for (int i = 0; i < 30; i++) {
      send("user_" + i, "Hello");
    }

    StatusRuntimeException error =
        org.assertj.core.api.Assertions.catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                ClientServiceGrpc.newBlockingStub(channelTo(server.port()))
                    .watch(WatchRequest.newBuilder().setAfterRevision(3).build())
                    .hasNext());
    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.OUT_OF_RANGE);
    assertThat(error.getStatus().getDescription())
        .isEqualTo("Revision 3 is no longer kept: changes are kept after revision 20 only. "
            + "List the clients again and watch from the listing's revision.");

    Recorder recorder = new Recorder(OptionalLong.of(3));
    watchClient(server.port()).follow(OptionalLong.of(3), recorder);
    RuntimeException failure = recorder.failure.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(failure).isInstanceOfSatisfying(
        RevisionCompactedException.class, e -> assertThat(e.compacted()).isEqualTo(20));
  }

  @Test
  @Story("Idle watchers are told they are current")
  @DisplayName("an idle watcher gets a progress notification carrying the current revision")
  void progressNotification() throws Exception {
    serve(1000, Duration.ofMillis(200), 500);
    send("user_1", "Hello");
    send("user_2", "Hello");
    Recorder recorder = new Recorder(OptionalLong.of(2));

    watchClient(server.port()).follow(OptionalLong.of(2), recorder);

    WatchEvent first = recorder.events.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    WatchEvent second = recorder.events.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(first).as("established").isEqualTo(new WatchEvent.Progress(2));
    assertThat(second).as("after the interval").isEqualTo(new WatchEvent.Progress(2));
  }

  @Test
  @Story("A slow watcher is cut off")
  @DisplayName("a watcher that does not read is ended with RESOURCE_EXHAUSTED, with bounded memory, and loses nothing on resuming")
  void slowWatcherCutOff() throws Exception {
    serve(50_000, Duration.ofMillis(100), 2_000);
    long start = registry.changes().latestRevision();
    // A small window, so the transport fills after a few hundred changes.
    ManagedChannel channel =
        NettyChannelBuilder.forAddress(Loopback.HOST, server.port())
            .usePlaintext()
            .flowControlWindow(65_535)
            .build();
    channels.add(channel);
    NotReading reader = new NotReading();
    ClientServiceGrpc.newStub(channel)
        .watch(WatchRequest.newBuilder().setAfterRevision(start).build(), reader);
    reader.firstMessage.await(WAIT.toSeconds(), TimeUnit.SECONDS);

    String padding = "x".repeat(100);
    int changes = 20_000;
    for (int i = 0; i < changes; i++) {
      send(padding + (i % 1000), i / 1000 % 2 == 0 ? "Hello" : "Goodbye");
    }
    Thread.sleep(500); // a few ticks: the server finds the watcher far behind
    reader.readEverything();
    Status status = reader.ended.get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(status.getDescription()).startsWith("Watcher too slow: ");
    long resumeAfter = Long.parseLong(status.getDescription().replaceAll(".*after revision (\\d+)\\.$", "$1"));
    List<Long> received = reader.revisions();
    assertThat(received.size()).as("the server stopped sending long before the last change")
        .isLessThan(changes / 2);
    assertThat(received).as("what was sent is every change up to the revision to resume after")
        .containsExactlyElementsOf(range(start + 1, resumeAfter));
    // Resuming from there loses nothing.
    Recorder recorder = new Recorder(OptionalLong.of(resumeAfter));
    watchClient(server.port()).follow(OptionalLong.of(resumeAfter), recorder);
    recorder.awaitRevision(registry.changes().latestRevision());
    assertThat(recorder.changes().stream().map(ClientChange::revision).toList())
        .containsExactlyElementsOf(range(resumeAfter + 1, registry.changes().latestRevision()));
  }

  @Test
  @Story("A watch without a revision starts with the registry")
  @DisplayName("a snapshot taken while others write equals the registry once the watcher has caught up")
  void snapshotRacingWrites() throws Exception {
    serve(1_000_000, Duration.ofSeconds(5), 500_000);
    for (int i = 0; i < 20_000; i++) {
      registry.record(ClientId.of(String.format("user_%05d", i)), i % 2 == 0
          ? org.connectionregistry.domain.ConnectionStatus.CONNECTED
          : org.connectionregistry.domain.ConnectionStatus.DISCONNECTED);
    }
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicInteger written = new AtomicInteger();
    GrpcConnectionClient writer =
        new GrpcConnectionClient(channelTo(server.port()), "server", Duration.ofSeconds(5));
    List<Thread> writers = new ArrayList<>();
    for (int w = 0; w < 2; w++) {
      int seed = w;
      Thread thread = new Thread(() -> {
        java.util.Random random = new java.util.Random(seed);
        while (writing.get()) {
          writer.sendMessage(new SendMessageCommand(
              ClientId.of(String.format("user_%05d", random.nextInt(25_000))),
              random.nextBoolean() ? "Hello" : "Goodbye"));
          written.incrementAndGet();
        }
      });
      thread.start();
      writers.add(thread);
    }
    Recorder recorder = new Recorder();
    try (FollowRegistryUseCase.Following following =
        watchClient(server.port()).follow(OptionalLong.empty(), recorder)) {
      recorder.awaitComplete();
      writing.set(false);
      for (Thread thread : writers) {
        thread.join();
      }
      recorder.awaitRevision(registry.changes().latestRevision());

      assertThat(recorder.snapshotRevision).as("writes went on while the snapshot was taken")
          .isGreaterThan(20_000);
      assertThat(written.get()).isPositive();
      assertThat(recorder.repeats).as("no change the snapshot already showed").isEmpty();
      assertThat(recorder.model).isEqualTo(registryNow());
    }
  }

  @Test
  @Story("Counts without listing")
  @DisplayName("CountClients answers the counts and their revision; ListClients says at which revision it listed")
  void countsAndListingRevision() throws Exception {
    serve(1000, Duration.ofSeconds(5), 500);
    send("a", "Hello");
    send("b", "Hello");
    send("c", "Goodbye");

    ClientCounts counts =
        Stages.await(watchClient(server.port()).countClientsAsync());
    assertThat(counts).isEqualTo(new ClientCounts(2, 1, 3));
    List<ListClientsResponse> pages = new ArrayList<>();
    ClientServiceGrpc.newBlockingStub(channelTo(server.port()))
        .listClients(ListClientsRequest.getDefaultInstance())
        .forEachRemaining(pages::add);
    assertThat(pages).hasSize(1);
    assertThat(pages.get(0).getRevision()).isEqualTo(3);
    assertThat(pages.get(0).getClientsList().stream().map(WatchMessages::fromListed).toList())
        .containsExactlyElementsOf(Stages.await(registry.listAll()));
  }

  // ---- helpers ----

  private void send(String clientId, String message) {
    plain.sendMessage(new SendMessageCommand(ClientId.of(clientId), message));
  }

  private ManagedChannel channelTo(int port) {
    ManagedChannel channel = Loopback.channelTo(port);
    channels.add(channel);
    return channel;
  }

  private GrpcWatchClient watchClient(int port) {
    return new GrpcWatchClient(channelTo(port), Loopback.target(port), Duration.ofSeconds(5), retries);
  }

  private List<ClientChange> history(long after) {
    ChangeCursor cursor = registry.changes().openAfter(after, () -> {});
    List<ClientChange> all = new ArrayList<>();
    for (List<ClientChange> read = cursor.poll(1000); !read.isEmpty(); read = cursor.poll(1000)) {
      all.addAll(read);
    }
    cursor.close();
    return all;
  }

  private Map<ClientId, ClientConnection> registryNow() {
    Map<ClientId, ClientConnection> now = new TreeMap<>();
    Stages.await(registry.listAll()).forEach(c -> now.put(c.clientId(), c));
    return now;
  }

  private static List<Long> range(long from, long to) {
    List<Long> range = new ArrayList<>();
    for (long r = from; r <= to; r++) {
      range.add(r);
    }
    return range;
  }

  /** A follower that keeps everything it is told, and the registry it makes of it. */
  private static class Recorder implements FollowRegistryUseCase.Follower {
    final BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
    final Map<ClientId, ClientConnection> model = new TreeMap<>();
    private final List<ClientChange> afterSnapshot = new ArrayList<>();
    final List<ClientChange> repeats = new ArrayList<>();
    final List<OptionalLong> resumedAfter = new ArrayList<>();
    final CompletableFuture<RuntimeException> failure = new CompletableFuture<>();
    final CountDownLatch interrupted = new CountDownLatch(1);
    /** The revision the follower is current to; empty until its snapshot is complete. */
    private OptionalLong current;
    volatile long snapshotRevision = -1;

    Recorder(OptionalLong after) {
      this.current = after;
    }

    Recorder() {
      this(OptionalLong.empty());
    }

    @Override
    public synchronized void event(WatchEvent event) {
      events.add(event);
      if (event instanceof WatchEvent.SnapshotPage page) {
        page.clients().forEach(c -> model.put(c.clientId(), c));
      } else if (event instanceof WatchEvent.Changes changes) {
        for (ClientChange change : changes.changes()) {
          ClientConnection known = model.get(change.clientId());
          if (known != null && known.revision() >= change.revision()) {
            repeats.add(change); // already shown: handed over twice
          }
          model.put(change.clientId(), change.entry());
          if (current.isPresent()) {
            afterSnapshot.add(change);
            current = OptionalLong.of(change.revision());
          }
        }
      } else if (event instanceof WatchEvent.SnapshotComplete complete) {
        snapshotRevision = complete.revision();
        current = OptionalLong.of(complete.revision());
      } else if (event instanceof WatchEvent.Progress progress && current.isPresent()) {
        current = OptionalLong.of(Math.max(current.getAsLong(), progress.revision()));
      }
      notifyAll();
    }

    @Override
    public synchronized void interrupted(String why) {
      interrupted.countDown();
    }

    @Override
    public synchronized void resumed(OptionalLong afterRevision) {
      resumedAfter.add(afterRevision);
      if (afterRevision.isEmpty()) {
        model.clear();
      }
    }

    @Override
    public void failed(RuntimeException e) {
      failure.complete(e);
    }

    synchronized List<ClientChange> changes() {
      return List.copyOf(afterSnapshot);
    }

    synchronized void awaitComplete() throws InterruptedException {
      long until = System.nanoTime() + WAIT.toNanos();
      while (snapshotRevision < 0) {
        long left = until - System.nanoTime();
        assertThat(left).as("the snapshot completes in time").isPositive();
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
    }

    synchronized void awaitRevision(long wanted) throws InterruptedException {
      long until = System.nanoTime() + WAIT.toNanos();
      while (current.orElse(-1) < wanted) {
        long left = until - System.nanoTime();
        assertThat(left).as("revision %d arrives in time (at %s)", wanted, current).isPositive();
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
    }

    void awaitInterrupted() throws InterruptedException {
      assertThat(interrupted.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    }
  }

  /** A raw watch that takes one message, then reads nothing until told to. */
  private static final class NotReading implements ClientResponseObserver<WatchRequest, WatchResponse> {
    final CountDownLatch firstMessage = new CountDownLatch(1);
    final CompletableFuture<Status> ended = new CompletableFuture<>();
    private final List<Long> revisions = new ArrayList<>();
    private volatile ClientCallStreamObserver<WatchRequest> call;

    @Override
    public void beforeStart(ClientCallStreamObserver<WatchRequest> call) {
      this.call = call;
      call.disableAutoRequestWithInitial(1);
    }

    @Override
    public synchronized void onNext(WatchResponse response) {
      response.getChangesList().forEach(change -> revisions.add(change.getRevision()));
      firstMessage.countDown();
    }

    void readEverything() {
      call.request(Integer.MAX_VALUE);
    }

    synchronized List<Long> revisions() {
      return List.copyOf(revisions);
    }

    @Override
    public void onError(Throwable t) {
      ended.complete(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      ended.complete(Status.OK);
    }
  }
}

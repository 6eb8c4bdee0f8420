package org.connectionregistry.adapter.grpc.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import io.grpc.stub.StreamObserver;
import org.connectionregistry.adapter.grpc.Loopback;
import org.connectionregistry.testsupport.TcpProxy;
import org.connectionregistry.adapter.grpc.client.GrpcConnectionClient;
import org.connectionregistry.adapter.grpc.client.GrpcSessionClient;
import org.connectionregistry.adapter.grpc.server.ClientServiceEndpoint;
import org.connectionregistry.adapter.grpc.server.GrpcServer;
import org.connectionregistry.adapter.grpc.server.SessionKeepalive;
import org.connectionregistry.application.port.in.HoldSessionUseCase.Session;
import org.connectionregistry.application.port.in.HoldSessionUseCase.SessionListener;
import org.connectionregistry.application.port.in.SendMessageCommand;
import org.connectionregistry.application.port.in.SessionEnd;
import org.connectionregistry.application.port.out.SessionLedger;
import org.connectionregistry.application.service.ConnectionService;
import org.connectionregistry.application.service.ScheduledTimer;
import org.connectionregistry.application.service.SessionService;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.InMemoryConnectionRegistry;
import org.connectionregistry.proto.ClientServiceGrpc;
import org.connectionregistry.proto.ConnectEvent;
import org.connectionregistry.proto.ConnectRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Live sessions over the real transport: a Netty server with keepalive on loopback, our session
 * client on a Netty channel, and a TCP proxy between them where the network has to misbehave.
 */
@Feature("Live presence")
@DisplayName("Sessions over gRPC on loopback: held, ended, lost, found silent, and back again")
class SessionsOverNettyTest {

  private static final Duration GRACE = Duration.ofMillis(600);
  private static final Duration KEEPALIVE = Duration.ofMillis(300);
  private static final ClientId USER = ClientId.of("user_1");

  private final InMemoryConnectionRegistry registry = new InMemoryConnectionRegistry();
  private final ScheduledTimer timer = new ScheduledTimer("test-session-expiry");
  private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor();
  private SessionService sessions;
  private GrpcServer server;
  private TcpProxy proxy;
  private ManagedChannel channel;
  private GrpcConnectionClient reader;
  private ManagedChannel readerChannel;

  @BeforeEach
  void start() throws Exception {
    ConnectionService plain = new ConnectionService(registry);
    sessions = new SessionService(plain, registry, SessionLedger.NONE, timer, GRACE);
    NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(Loopback.HOST, 0));
    assertThat(SessionKeepalive.apply(builder, KEEPALIVE, KEEPALIVE)).isEqualTo(KEEPALIVE);
    server =
        new GrpcServer(builder, new ClientServiceEndpoint(sessions, plain, plain, sessions))
            .start();
    proxy = new TcpProxy(server.port());
    channel = Loopback.channelTo(proxy.port());
    readerChannel = Loopback.channelTo(server.port());
    reader = new GrpcConnectionClient(readerChannel, Loopback.target(server.port()), Duration.ofSeconds(5));
  }

  @AfterEach
  void stop() throws Exception {
    Loopback.close(channel);
    Loopback.close(readerChannel);
    proxy.close();
    server.stop(Duration.ZERO);
    retries.shutdownNow();
    timer.close();
    registry.close();
  }

  @Test
  @Story("A session marks its client connected")
  @DisplayName("a client that holds a session is connected, and stays so while its peer answers keepalive")
  void heldSessionStaysConnected() throws Exception {
    Heard heard = new Heard();
    holdConnected(heard);
    Thread.sleep(KEEPALIVE.multipliedBy(6).toMillis()); // several keepalive rounds
    assertThat(statusOf(USER)).isEqualTo(ConnectionStatus.CONNECTED);
    assertThat(heard.events).containsExactly("connected");
  }

  @Test
  @Story("A silent peer is found by keepalive")
  @DisplayName("a peer whose traffic silently stops (no FIN) is found by keepalive and disconnected")
  void silentPeerIsFound() throws Exception {
    Heard heard = new Heard();
    holdConnected(heard);

    proxy.freeze();
    long frozenAt = System.nanoTime();
    Duration took = awaitStatus(USER, ConnectionStatus.DISCONNECTED, Duration.ofSeconds(10));

    // Found after at most two keepalive intervals, then the grace: never sooner than the grace.
    assertThat(took).isGreaterThanOrEqualTo(GRACE).isLessThan(Duration.ofSeconds(5));
    assertThat(Duration.ofNanos(System.nanoTime() - frozenAt)).isLessThan(Duration.ofSeconds(6));
  }

  @Test
  @Story("A lost session disconnects after the grace")
  @DisplayName("a client whose connection drops for good is disconnected after the grace")
  void droppedConnectionDisconnects() throws Exception {
    Heard heard = new Heard();
    Session session = holdConnected(heard);

    session.drop(); // cancels the call, as a dying process's closed socket does
    Duration took = awaitStatus(USER, ConnectionStatus.DISCONNECTED, Duration.ofSeconds(10));

    assertThat(took).isGreaterThanOrEqualTo(GRACE.minusMillis(50)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  @Story("No flicker")
  @DisplayName("a client whose link is cut reconnects by itself within the grace and is never shown disconnected")
  void reconnectWithoutFlicker() throws Exception {
    Heard heard = new Heard();
    holdConnected(heard);

    AtomicBoolean watching = new AtomicBoolean(true);
    List<ConnectionStatus> seen = new CopyOnWriteArrayList<>();
    Thread watcher =
        new Thread(
            () -> {
              while (watching.get()) {
                seen.add(statusOf(USER));
              }
            });
    watcher.start();
    proxy.cut();
    assertThat(heard.next()).startsWith("lost");
    assertThat(heard.next()).isEqualTo("connected");
    Thread.sleep(GRACE.multipliedBy(2).toMillis());
    watching.set(false);
    watcher.join();

    assertThat(seen).isNotEmpty().containsOnly(ConnectionStatus.CONNECTED);
  }

  @Test
  @Story("An ended session disconnects at once")
  @DisplayName("a holder that ends its session is disconnected at once and hears that it ended")
  void endedSessionDisconnectsAtOnce() throws Exception {
    Heard heard = new Heard();
    Session session = holdConnected(heard);

    session.end();

    assertThat(heard.next()).isEqualTo("ended: session ended");
    assertThat(statusOf(USER)).isEqualTo(ConnectionStatus.DISCONNECTED);
  }

  @Test
  @Story("Goodbye ends that ID's sessions")
  @DisplayName("Goodbye from anywhere ends the client's session, and the holder hears why")
  void goodbyeEndsTheSession() throws Exception {
    Heard heard = new Heard();
    holdConnected(heard);

    String info = reader.sendMessage(new SendMessageCommand(USER, "Goodbye")).description();

    assertThat(info).isEqualTo("Client user_1 marked as disconnected.");
    assertThat(heard.next()).isEqualTo("ended: goodbye");
    Thread.sleep(GRACE.multipliedBy(2).toMillis());
    assertThat(statusOf(USER)).isEqualTo(ConnectionStatus.DISCONNECTED);
  }

  @Test
  @Story("A session marks its client connected")
  @DisplayName("a session for an invalid client ID is refused with the reason, and nothing is stored")
  void invalidIdIsRefused() throws Exception {
    BlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();
    StreamObserver<ConnectRequest> requests =
        ClientServiceGrpc.newStub(channel)
            .connect(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ConnectEvent event) {}

                  @Override
                  public void onError(Throwable t) {
                    errors.add(t);
                  }

                  @Override
                  public void onCompleted() {}
                });
    requests.onNext(ConnectRequest.newBuilder().setClientId("bad id!").build());
    Throwable error = errors.poll(5, TimeUnit.SECONDS);

    assertThat(error).hasMessageStartingWith("INVALID_ARGUMENT").hasMessageContaining("U+0020 at position 4");
    assertThat(reader.listClients()).isEmpty();
  }

  /**
   * Holds a session for {@link #USER} through the proxy, and waits until its holder hears that it
   * is connected.
   */
  private Session holdConnected(Heard heard) throws InterruptedException {
    Session session = new GrpcSessionClient(channel, "proxy", retries).hold(USER, heard);
    assertThat(heard.next()).isEqualTo("connected");
    return session;
  }

  private ConnectionStatus statusOf(ClientId id) {
    return reader.getClientStatus(id).status();
  }

  private Duration awaitStatus(ClientId id, ConnectionStatus wanted, Duration within)
      throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + within.toNanos();
    while (System.nanoTime() < deadline) {
      if (statusOf(id) == wanted) {
        return Duration.ofNanos(System.nanoTime() - start);
      }
      Thread.sleep(20);
    }
    throw new AssertionError(id + " was not " + wanted.label() + " within " + within);
  }

  /** What a holder heard, in order, to wait for. */
  private static final class Heard implements SessionListener {
    final List<String> events = new CopyOnWriteArrayList<>();
    final BlockingQueue<String> queue = new LinkedBlockingQueue<>();

    String next() throws InterruptedException {
      String event = queue.poll(10, TimeUnit.SECONDS);
      assertThat(event).as("an event within 10 s").isNotNull();
      return event;
    }

    private void add(String event) {
      events.add(event);
      queue.add(event);
    }

    @Override
    public void connected() {
      add("connected");
    }

    @Override
    public void lost(String why) {
      add("lost: " + why);
    }

    @Override
    public void ended(SessionEnd reason) {
      add("ended: " + reason.label());
    }

    @Override
    public void failed(Throwable failure) {
      add("failed: " + failure.getMessage());
    }
  }
}

package org.connectionregistry.adapter.grpc.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.adapter.grpc.Loopback;
import org.connectionregistry.adapter.grpc.server.ClientServiceEndpoint;
import org.connectionregistry.adapter.grpc.server.GrpcServer;
import org.connectionregistry.application.service.ConnectionService;
import org.connectionregistry.domain.InMemoryConnectionRegistry;
import org.connectionregistry.proto.ClientServiceGrpc;
import org.connectionregistry.proto.ClientServiceGrpc.ClientServiceBlockingStub;
import org.connectionregistry.proto.MessageRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Each limit over real Netty, shown biting. */
@Feature("Security")
@Story("Limits that hold")
@DisplayName("Limits: the client cap, the rate limit, idle and too many connections")
class LimitsTest {

  private GrpcServer server;
  private ConnectionLimit connectionLimit;
  private final List<ManagedChannel> channels = new ArrayList<>();

  @AfterEach
  void stop() throws InterruptedException {
    for (ManagedChannel channel : channels) {
      Loopback.close(channel);
    }
    if (server != null) {
      server.stop(Duration.ZERO);
    }
    if (connectionLimit != null) {
      connectionLimit.close();
    }
  }

  @Test
  @DisplayName("a full registry refuses new clients with RESOURCE_EXHAUSTED; known clients and health go on")
  void aFullRegistryRefusesNewClients() throws Exception {
    serve(NettyServerBuilder.forAddress(new InetSocketAddress(Loopback.HOST, 0)), new InMemoryConnectionRegistry(3), CallProtection.none());
    ClientServiceBlockingStub stub = stub();
    for (String id : List.of("a", "b", "c")) {
      stub.sendMessage(message(id, "Hello"));
    }

    StatusRuntimeException full = refused(() -> stub.sendMessage(message("d", "Hello")));

    assertThat(full.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(full.getStatus().getDescription())
        .isEqualTo("Cannot register client d: the registry already holds its maximum of 3 clients");
    assertThat(stub.sendMessage(message("a", "Goodbye")).getInfo()).isEqualTo("Client a marked as disconnected.");
    assertThat(HealthGrpc.newBlockingStub(channel()).check(HealthCheckRequest.getDefaultInstance()).getStatus())
        .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
  }

  @Test
  @DisplayName("a caller over its rate limit gets RESOURCE_EXHAUSTED saying when to try again")
  void aCallerOverItsRateLimitIsRefused() throws Exception {
    serve(
        NettyServerBuilder.forAddress(new InetSocketAddress(Loopback.HOST, 0)),
        new InMemoryConnectionRegistry(),
        new CallProtection(null, new CallerRateLimit(5, 5), null));
    ClientServiceBlockingStub stub = stub();
    for (int i = 0; i < 5; i++) {
      stub.sendMessage(message("user_1", "Hello"));
    }

    StatusRuntimeException throttled = refused(() -> stub.sendMessage(message("user_1", "Hello")));

    assertThat(throttled.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(throttled.getStatus().getDescription())
        .startsWith("Too many calls from 127.0.0.1: at most 5 a second are allowed; try again in ")
        .endsWith(" ms");
    Thread.sleep(400); // two tokens come back
    assertThat(stub.sendMessage(message("user_1", "Goodbye")).getInfo())
        .isEqualTo("Client user_1 marked as disconnected.");
  }

  @Test
  @DisplayName("a connection without calls is closed once it has been idle too long")
  void aConnectionWithoutCallsIsClosedOnceIdleTooLong() throws Exception {
    ServerLimits limits =
        new ServerLimits(0, 100, 65536, 16384, Duration.ofMillis(300), Duration.ofHours(1),
            Duration.ofMinutes(1), Duration.ofSeconds(10), 0, 0);
    serve(limits.applyTo(NettyServerBuilder.forAddress(new InetSocketAddress(Loopback.HOST, 0))),
        new InMemoryConnectionRegistry(), CallProtection.none());
    ManagedChannel channel = channel();
    ClientServiceGrpc.newBlockingStub(channel).sendMessage(message("user_1", "Hello"));
    // The channel hears of its own connection's state asynchronously: it may still say CONNECTING
    // just after the first answer, so wait (briefly, well under the 300 ms idle limit) for READY.
    long ready = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
    while (channel.getState(false) != ConnectivityState.READY && System.nanoTime() < ready) {
      Thread.sleep(5);
    }
    assertThat(channel.getState(false)).isEqualTo(ConnectivityState.READY);

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (channel.getState(false) == ConnectivityState.READY && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }

    assertThat(channel.getState(false)).as("the server closed the idle connection").isEqualTo(ConnectivityState.IDLE);
  }

  @Test
  @DisplayName("connections over the limit are closed at once; a freed place is usable again")
  void connectionsOverTheLimitAreClosedAtOnce() throws Exception {
    NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(Loopback.HOST, 0));
    connectionLimit = ConnectionLimit.applyTo(builder, 2);
    serve(builder, new InMemoryConnectionRegistry(), CallProtection.none());
    Socket first = new Socket(Loopback.HOST, server.port());
    Socket second = new Socket(Loopback.HOST, server.port());
    try (Socket third = new Socket(Loopback.HOST, server.port())) {
      third.setSoTimeout(5000);
      InputStream in = third.getInputStream();
      assertThat(in.read()).as("the server closed the third connection").isEqualTo(-1);
      assertThat(connectionLimit.open()).isEqualTo(2);
    }
    first.close();
    second.close();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (connectionLimit.open() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }

    assertThat(stub().sendMessage(message("user_1", "Hello")).getInfo())
        .isEqualTo("Client user_1 marked as connected.");
  }

  private void serve(NettyServerBuilder builder, InMemoryConnectionRegistry registry, CallProtection protection)
      throws Exception {
    ConnectionService service = new ConnectionService(registry);
    server = new GrpcServer(builder, new ClientServiceEndpoint(service, service, service), protection).start();
  }

  private ManagedChannel channel() {
    ManagedChannel channel = Loopback.channelTo(server.port());
    channels.add(channel);
    return channel;
  }

  private ClientServiceBlockingStub stub() {
    return ClientServiceGrpc.newBlockingStub(channel()).withDeadlineAfter(5, TimeUnit.SECONDS);
  }

  private static MessageRequest message(String clientId, String message) {
    return MessageRequest.newBuilder().setClientId(clientId).setMessage(message).build();
  }

  private static StatusRuntimeException refused(Runnable call) {
    return catchThrowableOfType(StatusRuntimeException.class, call::run);
  }
}

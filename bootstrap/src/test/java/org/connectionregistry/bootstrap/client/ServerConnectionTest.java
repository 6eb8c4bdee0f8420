package org.connectionregistry.bootstrap.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.adapter.grpc.client.GrpcConnectionClient;
import org.connectionregistry.adapter.grpc.server.ClientServiceEndpoint;
import org.connectionregistry.application.port.in.RemoteCallFailedException;
import org.connectionregistry.application.port.in.SendMessageCommand;
import org.connectionregistry.application.service.ConnectionService;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.InMemoryConnectionRegistry;
import org.connectionregistry.testsupport.FreePort;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The console client's connection, over real Netty on a loopback port. */
@DisplayName("Console client: its connection to the server")
@Feature("Console client")
@Story("Server unreachable")
class ServerConnectionTest {

  private static final Duration DEADLINE = Duration.ofSeconds(5);

  @Test
  @DisplayName("started before its server, the client gets an answer as soon as the server is up, "
      + "however often it failed before")
  void answersOnceTheServerIsUp() throws Exception {
    int port = FreePort.onLoopback();
    String target = "127.0.0.1:" + port;
    try (ServerConnection connection = new ServerConnection(target)) {
      GrpcConnectionClient client = new GrpcConnectionClient(connection.channel(), target, DEADLINE);
      ClientId id = ClientId.of("user1");
      // After a failed attempt gRPC waits a second or more before the next one, and left to
      // itself would fail the calls below meanwhile.
      for (int attempt = 0; attempt < 3; attempt++) {
        assertThatThrownBy(() -> client.getClientStatus(id))
            .isInstanceOf(RemoteCallFailedException.class)
            .hasMessage("Server " + target + " is unavailable (connection refused)");
      }

      Server server = startServer(port);
      try {
        assertThat(client.sendMessage(new SendMessageCommand(id, "Hello")).status())
            .isEqualTo(ConnectionStatus.CONNECTED);
      } finally {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  @DisplayName("closed, it leaves no thread of its own behind, so the client exits at once")
  @Story("Exit")
  void closeStopsItsEventLoop() throws Exception {
    int port = FreePort.onLoopback();
    Server server = startServer(port);
    try {
      String target = "127.0.0.1:" + port;
      ServerConnection connection = new ServerConnection(target);
      new GrpcConnectionClient(connection.channel(), target, DEADLINE)
          .sendMessage(new SendMessageCommand(ClientId.of("user1"), "Hello"));
      assertThat(eventLoopThreads()).isPositive();

      connection.close();

      assertThat(eventLoopThreads()).isZero();
    } finally {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static Server startServer(int port) throws IOException {
    ConnectionService service = new ConnectionService(new InMemoryConnectionRegistry());
    return NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
        .addService(new ClientServiceEndpoint(service, service, service))
        .build()
        .start();
  }

  private static long eventLoopThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .filter(thread -> thread.getName().startsWith(ServerConnection.EVENT_LOOP_THREAD))
        .count();
  }
}

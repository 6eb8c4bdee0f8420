package org.connectionregistry.adapter.grpc.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.connectionregistry.domain.Stages.await;

import ch.qos.logback.classic.Level;
import io.grpc.ManagedChannel;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.adapter.grpc.LogCapture;
import org.connectionregistry.adapter.grpc.Loopback;
import org.connectionregistry.adapter.grpc.server.ClientServiceEndpoint;
import org.connectionregistry.adapter.grpc.server.GrpcServer;
import org.connectionregistry.application.port.in.RemoteCallFailedException;
import org.connectionregistry.application.port.in.SendMessageCommand;
import org.connectionregistry.application.port.in.SendMessageUseCase;
import org.connectionregistry.application.service.ConnectionService;
import org.connectionregistry.domain.ChangeFeed;
import org.connectionregistry.domain.ChangeHistory;
import org.connectionregistry.domain.ChangeReason;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientCounts;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ClientNotFoundException;
import org.connectionregistry.domain.ConnectionRegistry;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.InMemoryConnectionRegistry;
import org.connectionregistry.domain.InvalidMessageException;
import org.connectionregistry.domain.RegistryUnavailableException;
import org.connectionregistry.domain.Stages;
import org.connectionregistry.domain.StatusChange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The client adapter against our own server, end to end over Netty on 127.0.0.1. */
@DisplayName("gRPC client adapter: the use cases, called remotely")
class GrpcConnectionClientTest {

  private static final Duration DEADLINE = Duration.ofSeconds(10);

  private final InMemoryConnectionRegistry registry = new InMemoryConnectionRegistry();
  private final CountDownLatch releaseBlockedCalls = new CountDownLatch(1);
  private GrpcServer server;
  private ManagedChannel channel;

  @AfterEach
  void closeEverything() throws InterruptedException {
    releaseBlockedCalls.countDown();
    Loopback.close(channel);
    if (server != null) {
      server.stop(Duration.ZERO);
    }
  }

  @Test
  @DisplayName("Hello marks the client connected on the server")
  @Feature("Sending messages")
  @Story("Hello marks a client as connected")
  void helloMarksTheClientConnectedOnTheServer() throws IOException {
    GrpcConnectionClient client = clientOf(serving(registry));

    StatusChange change = client.sendMessage(command("user_1", "Hello"));

    assertThat(change)
        .isEqualTo(new StatusChange(ClientId.of("user_1"), ConnectionStatus.CONNECTED));
    assertThat(change.description()).isEqualTo("Client user_1 marked as connected.");
    assertThat(await(registry.statusOf(ClientId.of("user_1")))).contains(ConnectionStatus.CONNECTED);
  }

  @Test
  @DisplayName("Goodbye typed in any case marks the client disconnected on the server")
  @Feature("Sending messages")
  @Story("Goodbye marks a client as disconnected")
  void goodbyeTypedInAnyCaseMarksTheClientDisconnectedOnTheServer() throws IOException {
    GrpcConnectionClient client = clientOf(serving(registry));
    client.sendMessage(command("user_1", "Hello"));

    StatusChange change = client.sendMessage(command("user_1", " gOODBYE "));

    assertThat(change.status()).isEqualTo(ConnectionStatus.DISCONNECTED);
    assertThat(await(registry.statusOf(ClientId.of("user_1")))).contains(ConnectionStatus.DISCONNECTED);
  }

  @Test
  @DisplayName("an invalid message reaches the server as typed and comes back as invalid")
  @Feature("Sending messages")
  @Story("Any other message is rejected")
  void anInvalidMessageReachesTheServerAsTypedAndComesBackAsAnInvalidMessage()
      throws IOException {
    GrpcConnectionClient client = clientOf(serving(registry));

    InvalidMessageException error;
    List<String> warnings;
    try (LogCapture serverLog = LogCapture.of(ClientServiceEndpoint.class)) {
      error =
          catchThrowableOfType(
              InvalidMessageException.class, () -> client.sendMessage(command("user_1", "Hi ")));
      warnings = serverLog.lines(Level.WARN);
    }

    assertThat(error).hasMessage("Invalid message type: Hi ");
    assertThat(error.rejectedMessage()).isEqualTo("Hi ");
    assertThat(warnings).containsExactly("Warning: Invalid message type: Hi ");
    assertThat(registry.size()).isZero();
  }

  @Test
  @DisplayName("the status of a known client is returned")
  @Feature("Reading status")
  @Story("Status of one client")
  void theStatusOfAKnownClientIsReturned() throws IOException {
    GrpcConnectionClient client = clientOf(serving(registry));
    client.sendMessage(command("user_1", "Goodbye"));

    assertThat(client.getClientStatus(ClientId.of("user_1")))
        .isEqualTo(new ClientConnection(ClientId.of("user_1"), ConnectionStatus.DISCONNECTED));
  }

  @Test
  @DisplayName("an unknown client is client not found, in the server's words")
  @Feature("Reading status")
  @Story("Unknown client")
  void anUnknownClientIsClientNotFoundWithTheServersWords() throws IOException {
    GrpcConnectionClient client = clientOf(serving(registry));

    ClientNotFoundException error =
        catchThrowableOfType(
            ClientNotFoundException.class, () -> client.getClientStatus(ClientId.of("ghost")));

    assertThat(error).hasMessage("Client ghost not found");
    assertThat(error.clientId()).isEqualTo(ClientId.of("ghost"));
  }

  @Test
  @DisplayName("every client is listed sorted by client ID")
  @Feature("Reading status")
  @Story("Status of all clients")
  void everyClientIsListedSortedByClientId() throws IOException {
    GrpcConnectionClient client = clientOf(serving(registry));
    client.sendMessage(command("carol", "Hello"));
    client.sendMessage(command("alice", "Goodbye"));
    client.sendMessage(command("bob", "Hello"));

    assertThat(client.listClients())
        .containsExactly(
            connection("alice", ConnectionStatus.DISCONNECTED),
            connection("bob", ConnectionStatus.CONNECTED),
            connection("carol", ConnectionStatus.CONNECTED));
  }

  @Test
  @DisplayName("an empty registry lists nobody")
  @Feature("Reading status")
  @Story("Status of all clients")
  void anEmptyRegistryListsNobody() throws IOException {
    assertThat(clientOf(serving(registry)).listClients()).isEmpty();
  }

  @Test
  @DisplayName("a server whose store is down is unavailable naming the target and the reason")
  @Feature("Console client")
  @Story("Server unavailable")
  void aServerWhoseStoreIsDownIsUnavailableNamingTheTargetAndTheReason() throws IOException {
    GrpcConnectionClient client = clientOf(serving(new BrokenStore()));
    String target = Loopback.target(server.port());

    for (Runnable call :
        List.<Runnable>of(
            () -> client.sendMessage(command("user_1", "Hello")),
            () -> client.getClientStatus(ClientId.of("user_1")),
            client::listClients)) {
      RegistryUnavailableException error =
          catchThrowableOfType(RegistryUnavailableException.class, call::run);
      assertThat(error)
          .hasMessage("Server " + target + " is unavailable (Store /data/registry is locked)");
    }
  }

  @Test
  @DisplayName("an unexpected server failure is a remote call error with code and description")
  @Feature("Console client")
  @Story("Unexpected server errors")
  void anUnexpectedServerFailureIsARemoteCallErrorWithCodeAndDescription() throws IOException {
    SendMessageUseCase buggy =
        command -> {
          throw new IllegalStateException("bug");
        };
    ConnectionService service = new ConnectionService(registry);
    GrpcConnectionClient client = clientOf(serving(buggy, service));

    RemoteCallFailedException error =
        catchThrowableOfType(
            RemoteCallFailedException.class, () -> client.sendMessage(command("user_1", "Hello")));

    assertThat(error)
        .hasMessage(
            "Server "
                + Loopback.target(server.port())
                + " failed the call: INTERNAL (Internal server error)");
  }

  @Test
  @DisplayName("a server that does not answer in time is unavailable")
  @Feature("Console client")
  @Story("Server unavailable")
  void aServerThatDoesNotAnswerInTimeIsUnavailable() throws IOException {
    ConnectionService service = new ConnectionService(registry);
    SendMessageUseCase stuck =
        command -> {
          awaitRelease();
          return service.sendMessage(command);
        };
    serving(stuck, service);
    channel = Loopback.channelTo(server.port());
    String target = Loopback.target(server.port());
    GrpcConnectionClient client = new GrpcConnectionClient(channel, target, Duration.ofMillis(200));

    RemoteCallFailedException error =
        catchThrowableOfType(
            RemoteCallFailedException.class,
            () -> client.sendMessage(command("user_1", "Hello")));

    assertThat(error).hasMessage("Server " + target + " is unavailable (no answer within 200ms)");
  }

  @Test
  @DisplayName("an unreachable target is unavailable in one line without Java names")
  @Feature("Console client")
  @Story("Server unavailable")
  void anUnreachableTargetIsUnavailableInOneLineWithoutJavaNames() throws InterruptedException {
    int closedPort = Loopback.closedPort();
    String target = Loopback.target(closedPort);
    channel = Loopback.channelTo(closedPort);
    GrpcConnectionClient client = new GrpcConnectionClient(channel, target, DEADLINE);

    for (Runnable call :
        List.<Runnable>of(
            () -> client.sendMessage(command("user_1", "Hello")),
            () -> client.getClientStatus(ClientId.of("user_1")),
            client::listClients)) {
      RemoteCallFailedException error =
          catchThrowableOfType(RemoteCallFailedException.class, call::run);
      assertThat(error.getMessage())
          .isEqualTo("Server " + target + " is unavailable (connection refused)")
          .doesNotContain("Exception", "io.grpc", "\n");
    }
  }

  @Test
  @DisplayName("the deadline must be positive")
  @Feature("Console client")
  @Story("Command-line options")
  void theDeadlineMustBePositive() {
    channel = Loopback.channelTo(Loopback.closedPort());

    Throwable error =
        catchThrowableOfType(
            IllegalArgumentException.class,
            () -> new GrpcConnectionClient(channel, "localhost:1", Duration.ZERO));

    assertThat(error).hasMessageContaining("deadline must be positive");
  }

  private GrpcConnectionClient clientOf(GrpcServer started) {
    channel = Loopback.channelTo(started.port());
    return new GrpcConnectionClient(channel, Loopback.target(started.port()), DEADLINE);
  }

  private GrpcServer serving(ConnectionRegistry store) throws IOException {
    ConnectionService service = new ConnectionService(store);
    return serving(service, service);
  }

  private GrpcServer serving(SendMessageUseCase send, ConnectionService rest) throws IOException {
    server =
        new GrpcServer(Loopback.serverBuilder(), new ClientServiceEndpoint(send, rest, rest))
            .start();
    return server;
  }

  private void awaitRelease() {
    try {
      releaseBlockedCalls.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static SendMessageCommand command(String clientId, String message) {
    return new SendMessageCommand(ClientId.of(clientId), message);
  }

  private static ClientConnection connection(String clientId, ConnectionStatus status) {
    return new ClientConnection(ClientId.of(clientId), status);
  }

  /** A store that cannot be reached, as a storage adapter reports it. */
  private static final class BrokenStore implements ConnectionRegistry {

    private static RegistryUnavailableException down() {
      return new RegistryUnavailableException("Store /data/registry is locked");
    }

    @Override
    public CompletionStage<ClientConnection> record(
        ClientId clientId, ConnectionStatus status, ChangeReason reason) {
      return Stages.failed(down());
    }

    @Override
    public CompletionStage<ClientCounts> counts() {
      return Stages.failed(down());
    }

    @Override
    public ChangeFeed changes() {
      return new ChangeHistory(1);
    }

    @Override
    public CompletionStage<Optional<ConnectionStatus>> statusOf(ClientId clientId) {
      return Stages.failed(down());
    }

    @Override
    public CompletionStage<List<ClientConnection>> list(Optional<ClientId> after, int limit) {
      return Stages.failed(down());
    }

    @Override
    public boolean isAvailable() {
      return false;
    }

    @Override
    public void close() {}
  }
}

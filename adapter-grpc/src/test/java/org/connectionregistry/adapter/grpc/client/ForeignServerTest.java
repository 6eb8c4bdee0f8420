package org.connectionregistry.adapter.grpc.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.application.port.in.RemoteCallFailedException;
import org.connectionregistry.application.port.in.SendMessageCommand;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ClientNotFoundException;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.InvalidInputException;
import org.connectionregistry.domain.InvalidMessageException;
import org.connectionregistry.domain.StatusChange;
import org.connectionregistry.proto.ClientServiceGrpc;
import org.connectionregistry.proto.ClientStatusRequest;
import org.connectionregistry.proto.ClientStatusResponse;
import org.connectionregistry.proto.MessageRequest;
import org.connectionregistry.proto.MessageResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The client against servers that are not ours: the original Python server, or one of another
 * version. Each answers with what a test sets, so every odd reply can be tried.
 */
@Feature("Compatibility")
@Story("Servers other than ours")
@DisplayName("gRPC client adapter against a server that words things differently")
class ForeignServerTest {

  private static final String TARGET = "legacy-host:50051";

  private final ScriptedServer foreign = new ScriptedServer();
  private Server server;
  private ManagedChannel channel;
  private GrpcConnectionClient client;

  @BeforeEach
  void start() throws IOException {
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name).directExecutor().addService(foreign).build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    client = new GrpcConnectionClient(channel, TARGET, Duration.ofSeconds(10));
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("the message is sent exactly as typed")
  void theMessageIsSentExactlyAsTyped() {
    foreign.messageResponse = accepted("Client user_1 marked as connected.");

    client.sendMessage(new SendMessageCommand(ClientId.of("user_1"), "  hello\t"));

    assertThat(foreign.lastMessageRequest.getClientId()).isEqualTo("user_1");
    assertThat(foreign.lastMessageRequest.getMessage()).isEqualTo("  hello\t");
  }

  @Test
  @DisplayName("a message our rules refuse but the server accepts takes its status from the answer")
  void aMessageOurRulesRefuseButTheServerAcceptedTakesTheStatusFromTheAnswer() {
    foreign.messageResponse = accepted("Client user_1 marked as disconnected.");

    StatusChange change = client.sendMessage(new SendMessageCommand(ClientId.of("user_1"), "Bye"));

    assertThat(change.status()).isEqualTo(ConnectionStatus.DISCONNECTED);
  }

  @Test
  @DisplayName("an accepted message whose answer names no status is a remote call error")
  void anAcceptedMessageWhoseAnswerNamesNoStatusIsARemoteCallError() {
    foreign.messageResponse = accepted("OK");

    RemoteCallFailedException error =
        catchThrowableOfType(
            RemoteCallFailedException.class,
            () -> client.sendMessage(new SendMessageCommand(ClientId.of("user_1"), "Bye")));

    assertThat(error)
        .hasMessage(
            "Server legacy-host:50051 accepted the message but did not say the new status: OK");
  }

  @Test
  @DisplayName("a response without success is invalid input with the server's info")
  void aResponseWithoutSuccessIsInvalidInputWithTheServersInfo() {
    foreign.messageResponse =
        MessageResponse.newBuilder().setSuccess(false).setInfo("Unknown message").build();

    InvalidInputException error =
        catchThrowableOfType(
            InvalidInputException.class,
            () -> client.sendMessage(new SendMessageCommand(ClientId.of("user_1"), "Hello")));

    assertThat(error).hasMessage("Unknown message");
  }

  @Test
  @DisplayName("an invalid argument worded differently is still invalid input")
  void anInvalidArgumentWordedDifferentlyIsStillInvalidInput() {
    foreign.error = Status.INVALID_ARGUMENT.withDescription("message too long");

    InvalidInputException error =
        catchThrowableOfType(
            InvalidInputException.class,
            () -> client.sendMessage(new SendMessageCommand(ClientId.of("user_1"), "Hi")));

    assertThat(error).isNotInstanceOf(InvalidMessageException.class).hasMessage("message too long");
  }

  @Test
  @DisplayName("a NOT_FOUND without description uses the contract's words")
  void aNotFoundWithoutDescriptionUsesTheContractsWords() {
    foreign.error = Status.NOT_FOUND;

    ClientNotFoundException error =
        catchThrowableOfType(
            ClientNotFoundException.class, () -> client.getClientStatus(ClientId.of("ghost")));

    assertThat(error).hasMessage("Client ghost not found");
  }

  @Test
  @DisplayName("an answer without the asked client is a remote call error")
  void anAnswerWithoutTheAskedClientIsARemoteCallError() {
    foreign.statuses = Map.of("someone_else", "connected");

    RemoteCallFailedException error =
        catchThrowableOfType(
            RemoteCallFailedException.class, () -> client.getClientStatus(ClientId.of("user_1")));

    assertThat(error)
        .hasMessage("Server legacy-host:50051 answered without a status for client user_1");
  }

  @Test
  @DisplayName("labels in another letter case are read")
  void labelsInAnotherLetterCaseAreRead() {
    foreign.statuses = Map.of("b", "Connected", "a", " DISCONNECTED ");

    assertThat(client.listClients())
        .containsExactly(
            new ClientConnection(ClientId.of("a"), ConnectionStatus.DISCONNECTED),
            new ClientConnection(ClientId.of("b"), ConnectionStatus.CONNECTED));
  }

  @Test
  @DisplayName("an unknown status label is a remote call error naming label and client")
  void anUnknownStatusLabelIsARemoteCallErrorNamingLabelAndClient() {
    foreign.statuses = Map.of("user_1", "away");

    RemoteCallFailedException error =
        catchThrowableOfType(RemoteCallFailedException.class, client::listClients);

    assertThat(error)
        .hasMessage(
            "Server legacy-host:50051 reported the unknown status 'away' for client user_1");
  }

  @Test
  @DisplayName("a client ID our rules refuse is a remote call error naming it")
  void aClientIdOurRulesRefuseIsARemoteCallErrorNamingIt() {
    // The original server accepted any client ID.
    foreign.statuses = Map.of("a b", "connected");

    RemoteCallFailedException error =
        catchThrowableOfType(RemoteCallFailedException.class, client::listClients);

    assertThat(error.getMessage())
        .startsWith("Server legacy-host:50051 lists a client ID this client cannot show ('a b'): ")
        .contains("Client ID must contain only letters, digits");
  }

  @Test
  @DisplayName("an unexpected status code is a remote call error in one line")
  void anUnexpectedStatusCodeIsARemoteCallErrorInOneLine() {
    foreign.error = Status.PERMISSION_DENIED.withDescription("read-only replica\nsee logs");

    RemoteCallFailedException error =
        catchThrowableOfType(RemoteCallFailedException.class, client::listClients);

    assertThat(error)
        .hasMessage(
            "Server legacy-host:50051 failed the call: PERMISSION_DENIED (read-only replica)");
  }

  private static MessageResponse accepted(String info) {
    return MessageResponse.newBuilder().setSuccess(true).setInfo(info).build();
  }

  /** Answers every call with the error, or else with the response, that the test set. */
  private static final class ScriptedServer extends ClientServiceGrpc.ClientServiceImplBase {
    volatile Status error;
    volatile MessageResponse messageResponse = MessageResponse.getDefaultInstance();
    volatile Map<String, String> statuses = Map.of();
    volatile MessageRequest lastMessageRequest;

    @Override
    public void sendMessage(MessageRequest request, StreamObserver<MessageResponse> responses) {
      lastMessageRequest = request;
      if (error != null) {
        responses.onError(error.asRuntimeException());
        return;
      }
      responses.onNext(messageResponse);
      responses.onCompleted();
    }

    @Override
    public void getClientStatus(
        ClientStatusRequest request, StreamObserver<ClientStatusResponse> responses) {
      if (error != null) {
        responses.onError(error.asRuntimeException());
        return;
      }
      responses.onNext(ClientStatusResponse.newBuilder().putAllStatuses(statuses).build());
      responses.onCompleted();
    }
  }
}

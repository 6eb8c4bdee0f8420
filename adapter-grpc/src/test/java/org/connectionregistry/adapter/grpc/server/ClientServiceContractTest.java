package org.connectionregistry.adapter.grpc.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Level;
import io.grpc.ManagedChannel;
import io.grpc.ServerBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.adapter.grpc.LogCapture;
import org.connectionregistry.adapter.grpc.Loopback;
import org.connectionregistry.application.service.ConnectionService;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.InMemoryConnectionRegistry;
import org.connectionregistry.proto.ClientServiceGrpc;
import org.connectionregistry.proto.ClientServiceGrpc.ClientServiceBlockingStub;
import org.connectionregistry.proto.ClientStatusRequest;
import org.connectionregistry.proto.ClientStatusResponse;
import org.connectionregistry.proto.MessageRequest;
import org.connectionregistry.proto.MessageResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every row of CONTRACT.md's wire table, checked through the generated stub against the real
 * service and in-memory registry. Subclasses choose the transport.
 */
abstract class ClientServiceContractTest {

  private static final String LONGEST_ID = "x".repeat(ClientId.MAX_LENGTH);

  private InMemoryConnectionRegistry registry;
  private GrpcServer server;
  private ManagedChannel channel;
  private LogCapture log;

  /** A builder for a server nobody else uses. */
  protected abstract ServerBuilder<?> newServerBuilder();

  /** A channel to the started server. */
  protected abstract ManagedChannel newChannel(GrpcServer server);

  @BeforeEach
  void startServer() throws IOException {
    registry = new InMemoryConnectionRegistry();
    ConnectionService service = new ConnectionService(registry);
    log = LogCapture.of(ClientServiceEndpoint.class);
    server =
        new GrpcServer(newServerBuilder(), new ClientServiceEndpoint(service, service, service))
            .start();
    channel = newChannel(server);
  }

  @AfterEach
  void stopServer() throws InterruptedException {
    Loopback.close(channel);
    server.stop(Duration.ZERO);
    log.close();
  }

  // SendMessage, Hello / Goodbye

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"hello", "Hello", "HELLO", "hElLo", " Hello ", "\tHELLO\n"})
  void helloInAnyLetterCaseMarksTheClientConnected(String message) {
    MessageResponse response = send("user_1", message);

    assertThat(response.getSuccess()).isTrue();
    assertThat(response.getInfo()).isEqualTo("Client user_1 marked as connected.");
    assertThat(registry.statusOf(ClientId.of("user_1"))).contains(ConnectionStatus.CONNECTED);
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"goodbye", "Goodbye", "GOODBYE", "gOoDbYe", "  Goodbye ", "\nGOODBYE\t"})
  void goodbyeInAnyLetterCaseMarksTheClientDisconnected(String message) {
    send("user_1", "Hello");

    MessageResponse response = send("user_1", message);

    assertThat(response.getSuccess()).isTrue();
    assertThat(response.getInfo()).isEqualTo("Client user_1 marked as disconnected.");
    assertThat(registry.statusOf(ClientId.of("user_1"))).contains(ConnectionStatus.DISCONNECTED);
  }

  @Test
  void theLastMessageOfAClientDecidesItsStatus() {
    send("user_1", "Goodbye");
    send("user_1", "Hello");

    assertThat(statuses("user_1")).containsExactly(Map.entry("user_1", "connected"));
  }

  // SendMessage, any other message

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"Hi", "", "hello world", "Hello!", "Good bye", "héllo", "Bye"})
  void anyOtherMessageIsInvalidArgumentWithItsExactDescriptionAndChangesNothing(String message) {
    send("user_1", "Hello");

    StatusRuntimeException rejected = sendRejected("user_1", message);
    StatusRuntimeException rejectedForNewcomer = sendRejected("newcomer", message);

    assertThat(rejected.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(rejected.getStatus().getDescription())
        .isEqualTo("Invalid message type: " + message);
    assertThat(rejectedForNewcomer.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(registry.statusOf(ClientId.of("user_1"))).contains(ConnectionStatus.CONNECTED);
    assertThat(registry.statusOf(ClientId.of("newcomer"))).isEmpty();
  }

  @Test
  void anInvalidMessageIsLoggedAsAWarningAsItWasSent() {
    sendRejected("user_1", "Hi there");

    assertThat(log.lines(Level.WARN)).containsExactly("Warning: Invalid message type: Hi there");
  }

  @Test
  void aValidMessageLogsNothing() {
    send("user_1", "Hello");

    assertThat(log.events()).isEmpty();
  }

  // GetClientStatus

  @Test
  void anEmptyClientIdAsksForEveryRegisteredClient() {
    send("carol", "Hello");
    send("alice", "Goodbye");
    send("bob", "hello");

    assertThat(statuses(""))
        .containsOnly(
            Map.entry("alice", "disconnected"),
            Map.entry("bob", "connected"),
            Map.entry("carol", "connected"));
  }

  @Test
  void anEmptyClientIdAnswersAnEmptyMapWhenNobodyIsRegistered() {
    assertThat(statuses("")).isEmpty();
  }

  @Test
  void aKnownClientIdAnswersThatOneClient() {
    send("alice", "Hello");
    send("bob", "Goodbye");

    assertThat(statuses("bob")).containsExactly(Map.entry("bob", "disconnected"));
  }

  @Test
  void anUnknownClientIdIsNotFoundWithAnExactDescription() {
    send("alice", "Hello");

    StatusRuntimeException error =
        catchThrowableOfType(StatusRuntimeException.class, () -> statuses("ghost"));

    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(error.getStatus().getDescription()).isEqualTo("Client ghost not found");
  }

  // Client IDs

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"", " ", "   ", "a b", "tab\there", "bell\u0007", "new\nline", "a/b"})
  void sendMessageRefusesAnInvalidClientIdAndStoresNothing(String clientId) {
    StatusRuntimeException error = sendRejected(clientId, "Hello");

    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(error.getStatus().getDescription()).isEqualTo(whyInvalid(clientId));
    assertThat(registry.size()).isZero();
  }

  @Test
  void sendMessageRefusesAClientIdOf129CharactersAndStoresNothing() {
    StatusRuntimeException error = sendRejected(LONGEST_ID + "x", "Hello");

    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(error.getStatus().getDescription())
        .isEqualTo("Client ID must be at most 128 characters, got 129");
    assertThat(registry.size()).isZero();
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {" ", "a b", "ctl\u0001", "new\nline"})
  void getClientStatusRefusesAnInvalidNonEmptyClientId(String clientId) {
    StatusRuntimeException error =
        catchThrowableOfType(StatusRuntimeException.class, () -> statuses(clientId));

    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(error.getStatus().getDescription()).isEqualTo(whyInvalid(clientId));
  }

  @Test
  void getClientStatusRefusesAClientIdOf129Characters() {
    StatusRuntimeException error =
        catchThrowableOfType(StatusRuntimeException.class, () -> statuses(LONGEST_ID + "x"));

    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"a", "user_1", "first.last@example-mail", "Zoë", "用户42"})
  void validClientIdsOfAnyScriptAreAccepted(String clientId) {
    send(clientId, "Hello");

    assertThat(statuses(clientId)).containsExactly(Map.entry(clientId, "connected"));
  }

  @Test
  void aClientIdOf128CharactersIsAccepted() {
    send(LONGEST_ID, "Hello");

    assertThat(statuses("")).containsOnlyKeys(LONGEST_ID);
  }

  private ClientServiceBlockingStub stub() {
    return ClientServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private MessageResponse send(String clientId, String message) {
    return stub()
        .sendMessage(MessageRequest.newBuilder().setClientId(clientId).setMessage(message).build());
  }

  private StatusRuntimeException sendRejected(String clientId, String message) {
    return catchThrowableOfType(StatusRuntimeException.class, () -> send(clientId, message));
  }

  private Map<String, String> statuses(String clientId) {
    ClientStatusResponse response =
        stub().getClientStatus(ClientStatusRequest.newBuilder().setClientId(clientId).build());
    return response.getStatusesMap();
  }

  /** The domain words the reason; the endpoint must pass it on unchanged. */
  private static String whyInvalid(String clientId) {
    Throwable refusal = catchThrowable(() -> ClientId.of(clientId));
    assertThat(refusal).as("the domain refuses %s", clientId).isNotNull();
    return refusal.getMessage();
  }
}

package org.connectionregistry.adapter.grpc.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.connectionregistry.domain.Stages.await;

import ch.qos.logback.classic.Level;
import io.grpc.ManagedChannel;
import io.grpc.ServerBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qameta.allure.Allure;
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
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every row of CONTRACT.md's wire table, checked through the generated stub against the real
 * service and in-memory registry. Subclasses choose the transport.
 *
 * <p>Each test names its feature and story for the report at run time, since Allure reads no
 * annotations off the test methods a subclass inherits. A refused call is checked as one string,
 * {@code CODE: description}, so a failure shows both the code and the description that came back.
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
  @DisplayName("Hello in any letter case, spaces around ignored, marks the client connected:")
  void helloInAnyLetterCaseMarksTheClientConnected(String message) {
    labels("Sending messages", "Hello and Goodbye in any letter case, spaces around ignored");
    MessageResponse response = send("user_1", message);

    assertThat(response.getSuccess()).isTrue();
    assertThat(response.getInfo()).isEqualTo("Client user_1 marked as connected.");
    assertThat(await(registry.statusOf(ClientId.of("user_1")))).contains(ConnectionStatus.CONNECTED);
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"goodbye", "Goodbye", "GOODBYE", "gOoDbYe", "  Goodbye ", "\nGOODBYE\t"})
  @DisplayName("Goodbye in any letter case, spaces around ignored, marks the client disconnected:")
  void goodbyeInAnyLetterCaseMarksTheClientDisconnected(String message) {
    labels("Sending messages", "Hello and Goodbye in any letter case, spaces around ignored");
    send("user_1", "Hello");

    MessageResponse response = send("user_1", message);

    assertThat(response.getSuccess()).isTrue();
    assertThat(response.getInfo()).isEqualTo("Client user_1 marked as disconnected.");
    assertThat(await(registry.statusOf(ClientId.of("user_1")))).contains(ConnectionStatus.DISCONNECTED);
  }

  @Test
  @DisplayName("the last message of a client decides its status")
  void theLastMessageOfAClientDecidesItsStatus() {
    labels("Sending messages", "Hello marks a client as connected");
    send("user_1", "Goodbye");
    send("user_1", "Hello");

    assertThat(statuses("user_1")).containsExactly(Map.entry("user_1", "connected"));
  }

  // SendMessage, any other message

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"Hi", "", "hello world", "Hello!", "Good bye", "héllo", "Bye"})
  @DisplayName("any other message is INVALID_ARGUMENT, described as sent, and changes nothing:")
  void anyOtherMessageIsInvalidArgumentWithItsExactDescriptionAndChangesNothing(String message) {
    labels("Sending messages", "Any other message is rejected");
    send("user_1", "Hello");

    StatusRuntimeException rejected = sendRejected("user_1", message);
    StatusRuntimeException rejectedForNewcomer = sendRejected("newcomer", message);

    assertThat(codeAndDescription(rejected))
        .isEqualTo("INVALID_ARGUMENT: Invalid message type: " + message);
    assertThat(code(rejectedForNewcomer))
        .as(codeAndDescription(rejectedForNewcomer))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(await(registry.statusOf(ClientId.of("user_1")))).contains(ConnectionStatus.CONNECTED);
    assertThat(await(registry.statusOf(ClientId.of("newcomer")))).isEmpty();
  }

  @Test
  @DisplayName("an invalid message is logged as a warning, as it was sent")
  void anInvalidMessageIsLoggedAsAWarningAsItWasSent() {
    labels("Sending messages", "Any other message is rejected");
    sendRejected("user_1", "Hi there");

    assertThat(log.lines(Level.WARN)).containsExactly("Warning: Invalid message type: Hi there");
  }

  @Test
  @DisplayName("a valid message logs nothing")
  void aValidMessageLogsNothing() {
    labels("Sending messages", "Hello marks a client as connected");
    send("user_1", "Hello");

    assertThat(log.events()).isEmpty();
  }

  // GetClientStatus

  @Test
  @DisplayName("an empty client ID asks for every registered client")
  void anEmptyClientIdAsksForEveryRegisteredClient() {
    labels("Reading status", "Status of all clients");
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
  @DisplayName("an empty client ID answers an empty map when nobody is registered")
  void anEmptyClientIdAnswersAnEmptyMapWhenNobodyIsRegistered() {
    labels("Reading status", "Status of all clients");
    assertThat(statuses("")).isEmpty();
  }

  @Test
  @DisplayName("a known client ID answers that one client")
  void aKnownClientIdAnswersThatOneClient() {
    labels("Reading status", "Status of one client");
    send("alice", "Hello");
    send("bob", "Goodbye");

    assertThat(statuses("bob")).containsExactly(Map.entry("bob", "disconnected"));
  }

  @Test
  @DisplayName("an unknown client ID is NOT_FOUND \"Client <id> not found\"")
  void anUnknownClientIdIsNotFoundWithAnExactDescription() {
    labels("Reading status", "Unknown client");
    send("alice", "Hello");

    StatusRuntimeException error = statusesRejected("ghost");

    assertThat(codeAndDescription(error)).isEqualTo("NOT_FOUND: Client ghost not found");
  }

  // Client IDs

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"", " ", "   ", "a b", "tab\there", "bell\u0007", "new\nline", "a/b"})
  @DisplayName("SendMessage refuses an invalid client ID with INVALID_ARGUMENT and stores nothing:")
  void sendMessageRefusesAnInvalidClientIdAndStoresNothing(String clientId) {
    labels("Client IDs", "Invalid client IDs are rejected");
    StatusRuntimeException error = sendRejected(clientId, "Hello");

    assertThat(codeAndDescription(error)).isEqualTo("INVALID_ARGUMENT: " + whyInvalid(clientId));
    assertThat(registry.size()).isZero();
  }

  @Test
  @DisplayName("SendMessage refuses a client ID of 129 characters and stores nothing")
  void sendMessageRefusesAClientIdOf129CharactersAndStoresNothing() {
    labels("Client IDs", "Invalid client IDs are rejected");
    StatusRuntimeException error = sendRejected(LONGEST_ID + "x", "Hello");

    assertThat(codeAndDescription(error))
        .isEqualTo("INVALID_ARGUMENT: Client ID must be at most 128 characters, got 129");
    assertThat(registry.size()).isZero();
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {" ", "a b", "ctl\u0001", "new\nline"})
  @DisplayName("GetClientStatus refuses an invalid non-empty client ID with INVALID_ARGUMENT:")
  void getClientStatusRefusesAnInvalidNonEmptyClientId(String clientId) {
    labels("Client IDs", "Invalid client IDs are rejected");
    StatusRuntimeException error = statusesRejected(clientId);

    assertThat(codeAndDescription(error)).isEqualTo("INVALID_ARGUMENT: " + whyInvalid(clientId));
  }

  @Test
  @DisplayName("GetClientStatus refuses a client ID of 129 characters")
  void getClientStatusRefusesAClientIdOf129Characters() {
    labels("Client IDs", "Invalid client IDs are rejected");
    StatusRuntimeException error = statusesRejected(LONGEST_ID + "x");

    assertThat(code(error)).as(codeAndDescription(error)).isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"a", "user_1", "first.last@example-mail", "Zoë", "用户42"})
  @DisplayName("valid client IDs of any script are accepted:")
  void validClientIdsOfAnyScriptAreAccepted(String clientId) {
    labels("Client IDs", "Valid client IDs");
    send(clientId, "Hello");

    assertThat(statuses(clientId)).containsExactly(Map.entry(clientId, "connected"));
  }

  @Test
  @DisplayName("a client ID of 128 characters is accepted")
  void aClientIdOf128CharactersIsAccepted() {
    labels("Client IDs", "Valid client IDs");
    send(LONGEST_ID, "Hello");

    assertThat(statuses("")).containsOnlyKeys(LONGEST_ID);
  }

  private ClientServiceBlockingStub stub() {
    return ClientServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  // The steps below read in the report as what a user did, e.g. "client user_1 sends Hello".

  private MessageResponse send(String clientId, String message) {
    return Allure.step(
        "client " + shown(clientId) + " sends " + shown(message), () -> call(clientId, message));
  }

  private StatusRuntimeException sendRejected(String clientId, String message) {
    return Allure.step(
        "client " + shown(clientId) + " sends " + shown(message) + ", which must be refused",
        () -> catchThrowableOfType(StatusRuntimeException.class, () -> call(clientId, message)));
  }

  private MessageResponse call(String clientId, String message) {
    return stub()
        .sendMessage(MessageRequest.newBuilder().setClientId(clientId).setMessage(message).build());
  }

  private Map<String, String> statuses(String clientId) {
    return Allure.step(statusQuestion(clientId), () -> ask(clientId));
  }

  private StatusRuntimeException statusesRejected(String clientId) {
    return Allure.step(
        statusQuestion(clientId) + ", which must be refused",
        () -> catchThrowableOfType(StatusRuntimeException.class, () -> ask(clientId)));
  }

  private Map<String, String> ask(String clientId) {
    ClientStatusResponse response =
        stub().getClientStatus(ClientStatusRequest.newBuilder().setClientId(clientId).build());
    return response.getStatusesMap();
  }

  private static String statusQuestion(String clientId) {
    return clientId.isEmpty()
        ? "someone asks for the status of all clients"
        : "someone asks for the status of " + shown(clientId);
  }

  /** A word as sent; quoted when spaces or emptiness would not show otherwise. */
  private static String shown(String word) {
    String visible =
        word.length() > 40 ? word.substring(0, 20) + "… (" + word.length() + " chars)" : word;
    boolean plain =
        !word.isEmpty()
            && word.equals(word.strip())
            && word.chars().noneMatch(Character::isISOControl);
    return plain
        ? visible
        : '"' + visible.replace("\t", "\\t").replace("\n", "\\n") + '"';
  }

  /** What came back, as one string: {@code INVALID_ARGUMENT: Invalid message type: Hurrah}. */
  private static String codeAndDescription(StatusRuntimeException error) {
    return error == null
        ? "no error: the call succeeded"
        : error.getStatus().getCode() + ": " + error.getStatus().getDescription();
  }

  private static Status.Code code(StatusRuntimeException error) {
    return error == null ? null : error.getStatus().getCode();
  }

  private static void labels(String feature, String story) {
    Allure.feature(feature);
    Allure.story(story);
  }

  /** The domain words the reason; the endpoint must pass it on unchanged. */
  private static String whyInvalid(String clientId) {
    Throwable refusal = catchThrowable(() -> ClientId.of(clientId));
    assertThat(refusal).as("the domain refuses %s", clientId).isNotNull();
    return refusal.getMessage();
  }
}

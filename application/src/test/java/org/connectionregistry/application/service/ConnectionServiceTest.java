package org.connectionregistry.application.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qameta.allure.Allure;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.util.List;
import org.connectionregistry.application.port.in.SendMessageCommand;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ClientNotFoundException;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.InMemoryConnectionRegistry;
import org.connectionregistry.domain.InvalidMessageException;
import org.connectionregistry.domain.StatusChange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The use cases as the original's users know them: clients say Hello or Goodbye, anyone reads
 * one client's status or everyone's. Each step is named after what a user did, for the report.
 */
@DisplayName("Use cases: sending messages and reading status")
class ConnectionServiceTest {

  private final InMemoryConnectionRegistry registry = new InMemoryConnectionRegistry();
  private final ConnectionService service = new ConnectionService(registry);

  @AfterEach
  void closeRegistry() {
    registry.close();
  }

  @Test
  @Feature("Sending messages")
  @Story("Hello marks a client as connected")
  @DisplayName("a client that says Hello is told it is connected, and is")
  void helloConnects() {
    StatusChange change = sends("user1", "Hello");

    assertThat(change.description()).isEqualTo("Client user1 marked as connected.");
    assertThat(statusOf("user1"))
        .isEqualTo(new ClientConnection(id("user1"), ConnectionStatus.CONNECTED));
  }

  @Test
  @Feature("Sending messages")
  @Story("Goodbye marks a client as disconnected")
  @DisplayName("a connected client that says Goodbye is told it is disconnected, and is")
  void goodbyeDisconnects() {
    sends("user1", "Hello");
    StatusChange change = sends("user1", "Goodbye");

    assertThat(change.description()).isEqualTo("Client user1 marked as disconnected.");
    assertThat(statusOf("user1").status()).isEqualTo(ConnectionStatus.DISCONNECTED);
  }

  @ParameterizedTest(name = "\"{0}\" leaves the client {1}")
  @CsvSource(
      delimiter = '|',
      ignoreLeadingAndTrailingWhitespace = false,
      value = {
        "hello|connected",
        "HELLO|connected",
        " Hello |connected",
        "goodbye|disconnected",
        "GoodBye|disconnected",
        "  Goodbye|disconnected"
      })
  @Feature("Sending messages")
  @Story("Hello and Goodbye in any letter case, spaces around ignored")
  @DisplayName("messages are read in any letter case, spaces around ignored:")
  void messagesAreReadInAnyCase(String message, String expectedStatus) {
    StatusChange change = sends("user1", message);

    assertThat(change.status().label()).isEqualTo(expectedStatus);
    assertThat(statusOf("user1").status().label()).isEqualTo(expectedStatus);
  }

  @ParameterizedTest(name = "\"{0}\" is rejected and changes nothing")
  @ValueSource(strings = {"Hurrah", "", "Hello!", "Good bye"})
  @Feature("Sending messages")
  @Story("Any other message is rejected")
  @DisplayName("any other message is rejected:")
  void otherMessagesAreRejectedAndChangeNothing(String message) {
    sends("user1", "Hello");

    // The expected rejection is checked inside the step, so the step passes when it comes.
    Allure.step(
        "client user1 sends " + shown(message) + " and is told it is an invalid message type",
        () ->
            assertThatThrownBy(() -> service.sendMessage(command("user1", message)))
                .isInstanceOf(InvalidMessageException.class)
                .hasMessage("Invalid message type: " + message));
    Allure.step(
        "client user2 sends " + shown(message) + " and is told the same",
        () ->
            assertThatThrownBy(() -> service.sendMessage(command("user2", message)))
                .isInstanceOf(InvalidMessageException.class)
                .hasMessage("Invalid message type: " + message));

    assertThat(statusOf("user1").status()).isEqualTo(ConnectionStatus.CONNECTED);
    assertThat(allClients()).extracting(ClientConnection::clientId).containsExactly(id("user1"));
  }

  @Test
  @Feature("Reading status")
  @Story("Status of one client")
  @DisplayName("anyone can read one client's status; the last message decides it")
  void statusOfOneClient() {
    sends("user1", "Hello");
    sends("user2", "Hello");
    sends("user2", "Goodbye");

    assertThat(statusOf("user1").status()).isEqualTo(ConnectionStatus.CONNECTED);
    assertThat(statusOf("user2").status()).isEqualTo(ConnectionStatus.DISCONNECTED);
  }

  @Test
  @Feature("Reading status")
  @Story("Unknown client")
  @DisplayName("asking for a client that never said anything is answered: Client <id> not found")
  void unknownClientIsNotFound() {
    sends("user1", "Hello");

    Allure.step(
        "someone asks for the status of ghost and is told it is not found",
        () ->
            assertThatThrownBy(() -> service.getClientStatus(id("ghost")))
                .isInstanceOf(ClientNotFoundException.class)
                .hasMessage("Client ghost not found"));
  }

  @Test
  @Feature("Reading status")
  @Story("Status of all clients")
  @DisplayName("the status of all clients lists every client once, sorted by client ID")
  void statusOfAllClientsIsSortedById() {
    sends("user2", "Hello");
    sends("user1", "Hello");
    sends("user3", "Goodbye");
    sends("user1", "Goodbye");

    assertThat(allClients())
        .containsExactly(
            new ClientConnection(id("user1"), ConnectionStatus.DISCONNECTED),
            new ClientConnection(id("user2"), ConnectionStatus.CONNECTED),
            new ClientConnection(id("user3"), ConnectionStatus.DISCONNECTED));
  }

  @Test
  @Feature("Reading status")
  @Story("Status of all clients")
  @DisplayName("before anyone said anything, the status of all clients is an empty list")
  void noClientsYet() {
    assertThat(allClients()).isEmpty();
  }

  @Test
  @Feature("Several clients")
  @Story("Clients do not affect each other")
  @DisplayName("one client's messages never change another client's status")
  void clientsAreIndependent() {
    sends("user1", "Hello");
    sends("user2", "Goodbye");
    sends("user2", "Hello");
    sends("user1", "Goodbye");
    sends("user1", "Hello");

    assertThat(allClients())
        .containsExactly(
            new ClientConnection(id("user1"), ConnectionStatus.CONNECTED),
            new ClientConnection(id("user2"), ConnectionStatus.CONNECTED));
  }

  // The steps below read in the report as what a user did, e.g. "client user1 sends Hello".

  private StatusChange sends(String clientId, String message) {
    return Allure.step(
        "client " + clientId + " sends " + shown(message),
        () -> service.sendMessage(command(clientId, message)));
  }

  private ClientConnection statusOf(String clientId) {
    return Allure.step(
        "someone asks for the status of " + clientId, () -> service.getClientStatus(id(clientId)));
  }

  /** Every client and status, as the original system listed them (revisions aside). */
  private List<ClientConnection> allClients() {
    return Allure.step(
        "someone asks for the status of all clients",
        () -> service.listClients().stream().map(ClientConnection::withoutRevision).toList());
  }

  /** The message as typed; quoted when spaces or emptiness would not show otherwise. */
  private static String shown(String message) {
    return !message.isEmpty() && message.equals(message.strip()) ? message : '"' + message + '"';
  }

  private static SendMessageCommand command(String clientId, String message) {
    return new SendMessageCommand(id(clientId), message);
  }

  private static ClientId id(String value) {
    return ClientId.of(value);
  }
}

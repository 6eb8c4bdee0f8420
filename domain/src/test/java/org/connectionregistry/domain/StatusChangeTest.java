package org.connectionregistry.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Status changes and statuses: the words users read")
class StatusChangeTest {

  @Test
  @DisplayName("connecting is described as the original server worded it")
  @Feature("Sending messages")
  @Story("Hello marks a client as connected")
  void connectedDescription() {
    StatusChange change = new StatusChange(ClientId.of("user_1"), ConnectionStatus.CONNECTED);

    assertThat(change.description()).isEqualTo("Client user_1 marked as connected.");
  }

  @Test
  @DisplayName("disconnecting is described as the original server worded it")
  @Feature("Sending messages")
  @Story("Goodbye marks a client as disconnected")
  void disconnectedDescription() {
    StatusChange change = new StatusChange(ClientId.of("用户7"), ConnectionStatus.DISCONNECTED);

    assertThat(change.description()).isEqualTo("Client 用户7 marked as disconnected.");
  }

  @Test
  @DisplayName("statuses carry the labels users read, and labels map back")
  @Feature("Reading status")
  @Story("Status of one client")
  void labelsRoundTrip() {
    assertThat(ConnectionStatus.CONNECTED.label()).isEqualTo("connected");
    assertThat(ConnectionStatus.DISCONNECTED.label()).isEqualTo("disconnected");
    assertThat(ConnectionStatus.fromLabel("connected")).isEqualTo(ConnectionStatus.CONNECTED);
    assertThat(ConnectionStatus.fromLabel("disconnected")).isEqualTo(ConnectionStatus.DISCONNECTED);
    assertThatThrownBy(() -> ConnectionStatus.fromLabel("Connected"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Unknown connection status: Connected");
  }

  @Test
  @DisplayName("the client-not-found message names the client")
  @Feature("Reading status")
  @Story("Unknown client")
  void clientNotFoundMessage() {
    assertThat(new ClientNotFoundException(ClientId.of("ghost")))
        .hasMessage("Client ghost not found");
  }
}

package org.connectionregistry.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class StatusChangeTest {

  @Test
  @DisplayName("connecting is described as the original server worded it")
  void connectedDescription() {
    StatusChange change = new StatusChange(ClientId.of("user_1"), ConnectionStatus.CONNECTED);

    assertThat(change.description()).isEqualTo("Client user_1 marked as connected.");
  }

  @Test
  @DisplayName("disconnecting is described as the original server worded it")
  void disconnectedDescription() {
    StatusChange change = new StatusChange(ClientId.of("用户7"), ConnectionStatus.DISCONNECTED);

    assertThat(change.description()).isEqualTo("Client 用户7 marked as disconnected.");
  }

  @Test
  @DisplayName("statuses carry the labels users read, and labels map back")
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
  void clientNotFoundMessage() {
    assertThat(new ClientNotFoundException(ClientId.of("ghost")))
        .hasMessage("Client ghost not found");
  }
}

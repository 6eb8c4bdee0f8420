package org.connectionregistry.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.qameta.allure.Story;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("In-memory registry: the registry contract")
class InMemoryConnectionRegistryTest extends ConnectionRegistryContract {

  @Override
  protected ConnectionRegistry newRegistry() {
    return new InMemoryConnectionRegistry();
  }

  @Test
  @Story("In-memory store")
  @DisplayName("size counts each client once, however often it wrote")
  void sizeCountsEachClientOnce() {
    InMemoryConnectionRegistry memory = (InMemoryConnectionRegistry) registry;
    memory.record(ClientId.of("a"), ConnectionStatus.CONNECTED);
    memory.record(ClientId.of("a"), ConnectionStatus.DISCONNECTED);
    memory.record(ClientId.of("b"), ConnectionStatus.CONNECTED);

    assertThat(memory.size()).isEqualTo(2);
  }
}

package org.connectionregistry.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@Feature("Security")
@Story("Limits that hold")
@DisplayName("In-memory registry with a capacity: new clients are refused once it is full")
class RegistryCapacityTest {

  @Test
  @DisplayName("a new client beyond the capacity is refused, known clients keep changing")
  void aNewClientBeyondTheCapacityIsRefusedKnownClientsKeepChanging() {
    InMemoryConnectionRegistry registry = new InMemoryConnectionRegistry(2);
    Stages.await(registry.record(ClientId.of("a"), ConnectionStatus.CONNECTED));
    Stages.await(registry.record(ClientId.of("b"), ConnectionStatus.CONNECTED));

    assertThatThrownBy(() -> Stages.await(registry.record(ClientId.of("c"), ConnectionStatus.CONNECTED)))
        .isInstanceOf(RegistryFullException.class)
        .hasMessage("Cannot register client c: the registry already holds its maximum of 2 clients");
    Stages.await(registry.record(ClientId.of("a"), ConnectionStatus.DISCONNECTED));

    assertThat(Stages.await(registry.statusOf(ClientId.of("a")))).contains(ConnectionStatus.DISCONNECTED);
    assertThat(Stages.await(registry.statusOf(ClientId.of("c")))).isEmpty();
    assertThat(registry.size()).isEqualTo(2);
  }

  @Test
  @DisplayName("new clients racing for the last places never exceed the capacity")
  void newClientsRacingForTheLastPlacesNeverExceedTheCapacity() throws InterruptedException {
    InMemoryConnectionRegistry registry = new InMemoryConnectionRegistry(1000);
    AtomicInteger refused = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int thread = t;
      Thread worker =
          new Thread(
                  () -> {
                    try {
                      start.await();
                    } catch (InterruptedException e) {
                      return;
                    }
                    for (int i = 0; i < 500; i++) {
                      try {
                        Stages.await(registry.record(ClientId.of("t" + thread + "_" + i), ConnectionStatus.CONNECTED));
                      } catch (RegistryFullException e) {
                        refused.incrementAndGet();
                      }
                    }
                  });
      worker.start();
      threads.add(worker);
    }
    start.countDown();
    for (Thread thread : threads) {
      thread.join();
    }

    assertThat(registry.size()).isEqualTo(1000);
    assertThat(Stages.await(registry.listAll())).hasSize(1000);
    assertThat(refused.get()).isEqualTo(1000);
  }
}

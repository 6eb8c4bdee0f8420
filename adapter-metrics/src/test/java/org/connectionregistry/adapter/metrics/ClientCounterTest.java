package org.connectionregistry.adapter.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.connectionregistry.application.port.in.CountClientsUseCase;
import org.connectionregistry.application.port.in.SendMessageCommand;
import org.connectionregistry.application.service.ConnectionService;
import org.connectionregistry.domain.ClientCounts;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.InMemoryConnectionRegistry;
import org.connectionregistry.domain.RegistryUnavailableException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@Feature("Observability")
@DisplayName("Client counts: asked of the store, at most once per interval")
class ClientCounterTest {

  private final InMemoryConnectionRegistry registry = new InMemoryConnectionRegistry();
  private final ConnectionService service = new ConnectionService(registry);
  private final AtomicInteger questions = new AtomicInteger();
  private final AtomicBoolean storeDown = new AtomicBoolean();

  /** The store's counts, counting how often they are asked for, failing while it is "down". */
  private final CountClientsUseCase counted =
      new CountClientsUseCase() {
        @Override
        public CompletionStage<ClientCounts> countClientsAsync() {
          questions.incrementAndGet();
          if (storeDown.get()) {
            return CompletableFuture.failedFuture(
                new RegistryUnavailableException("Redis at 127.0.0.1:1 is unavailable"));
          }
          return registry.counts();
        }
      };

  @Test
  @Story("Metrics")
  @DisplayName("clients are counted by status, a status change moving one client from one count to the other")
  void countsByStatus() {
    int clients = 3 * 4096 + 17;
    for (int i = 0; i < clients; i++) {
      service.sendMessage(
          new SendMessageCommand(ClientId.of("user_" + i), i % 3 == 0 ? "Goodbye" : "Hello"));
    }
    ClientCounter counter = new ClientCounter(counted, Duration.ZERO);

    long disconnected = (clients + 2) / 3;
    assertThat(counter.count(ConnectionStatus.DISCONNECTED)).isEqualTo(disconnected);
    assertThat(counter.count(ConnectionStatus.CONNECTED)).isEqualTo(clients - disconnected);

    service.sendMessage(new SendMessageCommand(ClientId.of("user_0"), "Hello"));
    assertThat(counter.count(ConnectionStatus.DISCONNECTED)).isEqualTo(disconnected - 1);
    assertThat(counter.count(ConnectionStatus.CONNECTED)).isEqualTo(clients - disconnected + 1);
  }

  @Test
  @Story("Metrics")
  @DisplayName("within the interval the last count is reused, without asking the store again")
  void reusesTheCountWithinTheInterval() {
    ClientCounter counter = new ClientCounter(counted, Duration.ofHours(1));
    service.sendMessage(new SendMessageCommand(ClientId.of("user_1"), "Hello"));

    assertThat(counter.count(ConnectionStatus.CONNECTED)).isEqualTo(1);
    service.sendMessage(new SendMessageCommand(ClientId.of("user_2"), "Hello"));
    assertThat(counter.count(ConnectionStatus.CONNECTED)).isEqualTo(1);
    assertThat(counter.count(ConnectionStatus.DISCONNECTED)).isZero();

    assertThat(questions).hasValue(1);
  }

  @Test
  @Story("Metrics")
  @DisplayName("once the interval has passed the store is asked afresh")
  void asksAfreshAfterTheInterval() throws InterruptedException {
    ClientCounter counter = new ClientCounter(counted, Duration.ofMillis(50));
    service.sendMessage(new SendMessageCommand(ClientId.of("user_1"), "Hello"));
    assertThat(counter.count(ConnectionStatus.CONNECTED)).isEqualTo(1);

    service.sendMessage(new SendMessageCommand(ClientId.of("user_2"), "Hello"));
    Thread.sleep(60);

    assertThat(counter.count(ConnectionStatus.CONNECTED)).isEqualTo(2);
    assertThat(questions).hasValue(2);
  }

  @Test
  @Story("Metrics")
  @DisplayName("while the store cannot be reached the last count stands; before any there is none")
  void keepsTheLastCountWhileTheStoreIsDown() {
    ClientCounter counter = new ClientCounter(counted, Duration.ZERO);
    storeDown.set(true);
    assertThat(counter.count(ConnectionStatus.CONNECTED)).isNaN();

    storeDown.set(false);
    service.sendMessage(new SendMessageCommand(ClientId.of("user_1"), "Hello"));
    assertThat(counter.count(ConnectionStatus.CONNECTED)).isEqualTo(1);

    storeDown.set(true);
    service.sendMessage(new SendMessageCommand(ClientId.of("user_2"), "Hello"));
    assertThat(counter.count(ConnectionStatus.CONNECTED)).isEqualTo(1);
  }
}

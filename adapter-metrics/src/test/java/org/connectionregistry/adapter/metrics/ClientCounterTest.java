package org.connectionregistry.adapter.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.connectionregistry.application.port.in.ListClientsUseCase;
import org.connectionregistry.application.port.in.SendMessageCommand;
import org.connectionregistry.application.service.ConnectionService;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.InMemoryConnectionRegistry;
import org.connectionregistry.domain.RegistryUnavailableException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@Feature("Observability")
@DisplayName("Client counts: paged through the registry, at most once per interval")
class ClientCounterTest {

  private final ConnectionService service = new ConnectionService(new InMemoryConnectionRegistry());
  private final AtomicInteger listings = new AtomicInteger();
  private final AtomicBoolean storeDown = new AtomicBoolean();

  /** The service, counting how often a listing starts, and failing while the store is "down". */
  private final ListClientsUseCase counted =
      new ListClientsUseCase() {
        @Override
        public List<ClientConnection> listClients() {
          return service.listClients();
        }

        @Override
        public List<ClientConnection> listClientsPage(Optional<ClientId> after, int limit) {
          if (storeDown.get()) {
            throw new RegistryUnavailableException("Redis at 127.0.0.1:1 is unavailable");
          }
          if (after.isEmpty()) {
            listings.incrementAndGet();
          }
          return service.listClientsPage(after, limit);
        }
      };

  @Test
  @Story("Metrics")
  @DisplayName("clients are counted by status across many pages")
  void countsAcrossPages() {
    int clients = ListClientsUseCase.PAGE_SIZE * 2 + 17;
    for (int i = 0; i < clients; i++) {
      service.sendMessage(
          new SendMessageCommand(ClientId.of("user_" + i), i % 3 == 0 ? "Goodbye" : "Hello"));
    }
    ClientCounter counter = new ClientCounter(counted, Duration.ZERO);

    long disconnected = (clients + 2) / 3;
    assertThat(counter.count(ConnectionStatus.DISCONNECTED)).isEqualTo(disconnected);
    assertThat(counter.count(ConnectionStatus.CONNECTED)).isEqualTo(clients - disconnected);
  }

  @Test
  @Story("Metrics")
  @DisplayName("within the interval the last count is reused, without listing again")
  void reusesTheCountWithinTheInterval() {
    ClientCounter counter = new ClientCounter(counted, Duration.ofHours(1));
    service.sendMessage(new SendMessageCommand(ClientId.of("user_1"), "Hello"));

    assertThat(counter.count(ConnectionStatus.CONNECTED)).isEqualTo(1);
    service.sendMessage(new SendMessageCommand(ClientId.of("user_2"), "Hello"));
    assertThat(counter.count(ConnectionStatus.CONNECTED)).isEqualTo(1);
    assertThat(counter.count(ConnectionStatus.DISCONNECTED)).isZero();

    assertThat(listings).hasValue(1);
  }

  @Test
  @Story("Metrics")
  @DisplayName("once the interval has passed the clients are counted afresh")
  void countsAfreshAfterTheInterval() throws InterruptedException {
    ClientCounter counter = new ClientCounter(counted, Duration.ofMillis(50));
    service.sendMessage(new SendMessageCommand(ClientId.of("user_1"), "Hello"));
    assertThat(counter.count(ConnectionStatus.CONNECTED)).isEqualTo(1);

    service.sendMessage(new SendMessageCommand(ClientId.of("user_2"), "Hello"));
    Thread.sleep(60);

    assertThat(counter.count(ConnectionStatus.CONNECTED)).isEqualTo(2);
    assertThat(listings).hasValue(2);
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

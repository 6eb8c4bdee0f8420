package org.connectionregistry.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.qameta.allure.Story;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
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

  @Test
  @Story("In-memory store")
  @DisplayName("a reader racing a writer sees the status, revision and time of one and the same change")
  void aReaderRacingAWriterSeesOneChangeWhole() throws InterruptedException {
    // Each change reads the clock once, so a change's time in milliseconds equals its revision.
    AtomicLong ticks = new AtomicLong();
    Clock counting =
        new Clock() {
          @Override
          public Instant instant() {
            return Instant.ofEpochMilli(ticks.incrementAndGet());
          }

          @Override
          public ZoneId getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(ZoneId zone) {
            return this;
          }
        };
    InMemoryConnectionRegistry memory = new InMemoryConnectionRegistry(10, 16, counting);
    ClientId id = ClientId.of("a");
    Stages.await(memory.record(id, ConnectionStatus.CONNECTED)); // revision 1: odd is connected
    AtomicReference<String> torn = new AtomicReference<>();
    Thread writer =
        new Thread(
            () -> {
              for (int i = 0; i < 200_000 && torn.get() == null; i++) {
                ConnectionStatus next =
                    i % 2 == 0 ? ConnectionStatus.DISCONNECTED : ConnectionStatus.CONNECTED;
                Stages.await(memory.record(id, next));
              }
            });
    writer.start();
    while (writer.isAlive()) {
      List<ClientConnection> page = Stages.await(memory.list(Optional.empty(), 10));
      ClientConnection read = page.get(0);
      ConnectionStatus expected =
          read.revision() % 2 == 1 ? ConnectionStatus.CONNECTED : ConnectionStatus.DISCONNECTED;
      if (read.status() != expected || read.since().toEpochMilli() != read.revision()) {
        torn.set(read.toString());
      }
    }
    writer.join();

    assertThat(torn.get()).as("a read mixing two changes").isNull();
    ClientConnection last = Stages.await(memory.list(Optional.empty(), 10)).get(0);
    assertThat(last.revision()).isEqualTo(200_001);
    assertThat(last.status()).isEqualTo(ConnectionStatus.CONNECTED);
  }
}

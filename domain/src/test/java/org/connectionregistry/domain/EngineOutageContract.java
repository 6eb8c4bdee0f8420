package org.connectionregistry.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The registry contract for stores whose data lives in an engine that can go away while the
 * server runs (a disk file, a Redis server): on top of {@link ConnectionRegistryContract}, every
 * store answers an outage the same way. The in-memory store has no such engine: its memory is
 * the process's own.
 */
@Feature("Storage")
@Story("Registry contract")
public abstract class EngineOutageContract extends ConnectionRegistryContract {

  private static final ClientId USER_1 = ClientId.of("user_1");

  /** No call may wait longer than this for an engine that is gone. */
  private static final Duration BOUND = Duration.ofSeconds(10);

  /**
   * Takes the engine of the current {@link #registry} away, as an outage or an operator's mistake
   * would: the server stops, the file is deleted. The registry object stays open.
   */
  protected abstract void loseEngine() throws Exception;

  @Test
  @DisplayName("when its engine is gone, every call fails at once with an error naming the store, and it is unavailable")
  void engineGoneFailsEveryCall() throws Exception {
    registry.record(USER_1, ConnectionStatus.CONNECTED);
    assertThat(registry.isAvailable()).isTrue();
    String store = registry.toString();

    loseEngine();

    failsNamingTheStore(() -> registry.record(USER_1, ConnectionStatus.DISCONNECTED), store);
    failsNamingTheStore(() -> registry.statusOf(USER_1), store);
    failsNamingTheStore(() -> registry.list(Optional.empty(), 10), store);
    failsNamingTheStore(() -> registry.listAll(), store);
    assertTimeoutPreemptively(BOUND, () -> assertThat(registry.isAvailable()).isFalse());
  }

  @Test
  @DisplayName("a registry whose engine is gone still closes cleanly, and then says it is closed")
  void engineGoneStillCloses() throws Exception {
    loseEngine();

    assertTimeoutPreemptively(BOUND, () -> registry.close());

    assertThat(registry.isAvailable()).isFalse();
    assertThatThrownBy(() -> registry.statusOf(USER_1))
        .isInstanceOf(RegistryUnavailableException.class)
        .hasMessage(registry + " is closed");
  }

  private static void failsNamingTheStore(Executable call, String store) {
    assertTimeoutPreemptively(
        BOUND,
        () ->
            assertThatThrownBy(call::execute)
                .isInstanceOf(RegistryUnavailableException.class)
                .hasMessageStartingWith(store + " ")
                .hasMessageNotContaining("\n"));
  }
}

package org.connectionregistry.adapter.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.connectionregistry.domain.Stages.await;

import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.adapter.store.redis.testing.RedisServer;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.RegistryUnavailableException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Redis goes away and comes back while one registry object stays in use. */
@Feature("Storage")
@DisplayName("Redis store: an outage and the recovery")
class RedisOutageTest {

  private static final ClientId USER_1 = ClientId.of("user_1");

  private RedisServer redis;
  private RedisConnectionRegistry registry;

  @BeforeEach
  void start() throws Exception {
    redis = RedisServer.start();
    registry = RedisConnectionRegistry.connect(redis.uri());
  }

  @AfterEach
  void stop() throws Exception {
    if (registry != null) {
      registry.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  @Story("Redis store")
  @DisplayName("while Redis is down, every call fails with an error naming the store, and isAvailable is false")
  void callsFailWhileRedisIsDown() throws Exception {
    await(registry.record(USER_1, ConnectionStatus.CONNECTED));
    assertThat(registry.isAvailable()).isTrue();

    redis.stop();

    String store = "Redis at 127.0.0.1:" + redis.port() + " is unavailable: ";
    assertThatThrownBy(() -> await(registry.record(USER_1, ConnectionStatus.DISCONNECTED)))
        .isInstanceOf(RegistryUnavailableException.class)
        .hasMessageStartingWith(store)
        .hasMessageNotContaining("\n");
    assertThatThrownBy(() -> await(registry.statusOf(USER_1)))
        .isInstanceOf(RegistryUnavailableException.class)
        .hasMessageStartingWith(store);
    assertThatThrownBy(() -> await(registry.list(Optional.empty(), 10)))
        .isInstanceOf(RegistryUnavailableException.class)
        .hasMessageStartingWith(store);
    assertThat(registry.isAvailable()).isFalse();
  }

  @Test
  @Story("Redis store")
  @DisplayName("when Redis is back on the same port, the same registry works again by itself")
  void registryRecoversWhenRedisReturns() throws Exception {
    await(registry.record(USER_1, ConnectionStatus.CONNECTED));
    redis.stop();
    assertThatThrownBy(() -> await(registry.statusOf(USER_1))).isInstanceOf(RegistryUnavailableException.class);

    redis.restart(); // empty: the test server keeps nothing on disk
    awaitAvailable();

    await(registry.record(USER_1, ConnectionStatus.DISCONNECTED));
    assertThat(await(registry.statusOf(USER_1))).contains(ConnectionStatus.DISCONNECTED);
    assertThat(redis.command("HGET", "connreg:statuses", "user_1")).isEqualTo("disconnected");
  }

  private void awaitAvailable() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!registry.isAvailable()) {
      assertThat(System.nanoTime()).as("registry reconnected within 20 s").isLessThan(deadline);
      Thread.sleep(50);
    }
  }
}

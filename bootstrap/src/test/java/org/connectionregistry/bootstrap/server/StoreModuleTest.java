package org.connectionregistry.bootstrap.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.nio.file.Path;
import org.connectionregistry.adapter.store.file.FileConnectionRegistry;
import org.connectionregistry.adapter.store.redis.RedisConnectionRegistry;
import org.connectionregistry.adapter.store.redis.testing.RedisServer;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionRegistry;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.InMemoryConnectionRegistry;
import org.connectionregistry.domain.Stages;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each {@code --store} kind opens its own adapter. (That no kind can be left unwired is the
 * compiler's job: see {@link StoreSpec.Cases}.)
 */
@Feature("Server")
@Story("Choosing a store")
@DisplayName("Store wiring: each --store opens its own engine")
class StoreModuleTest {

  @TempDir Path dir;

  @Test
  @DisplayName("--store memory keeps statuses in memory")
  void memoryOpensTheInMemoryStore() {
    try (ConnectionRegistry registry = open("memory")) {
      assertThat(registry).isInstanceOf(InMemoryConnectionRegistry.class);
    }
  }

  @Test
  @DisplayName("--store file:PATH opens that file")
  void fileOpensTheFileStore() {
    Path file = dir.resolve("registry.db");
    try (ConnectionRegistry registry = open("file:" + file)) {
      assertThat(registry).isInstanceOf(FileConnectionRegistry.class);
      assertThat(((FileConnectionRegistry) registry).file()).isEqualTo(file.toAbsolutePath());
    }
  }

  @Test
  @DisplayName("--store redis://HOST:PORT connects to that Redis")
  void redisConnectsToRedis() throws Exception {
    try (RedisServer redis = RedisServer.start();
        ConnectionRegistry registry = open(redis.uri())) {
      assertThat(registry).isInstanceOf(RedisConnectionRegistry.class);
      assertThat(registry).hasToString("Redis at 127.0.0.1:" + redis.port());
    }
  }

  @Test
  @DisplayName("the history capacity given to the store wiring is what a Redis store keeps for watchers")
  void historyCapacityReachesTheRedisStore() throws Exception {
    try (RedisServer redis = RedisServer.start();
        ConnectionRegistry registry =
            StoreModule.opening(ServerSecurity.defaults(), 7).redis(new StoreSpec.Redis(redis.uri()))) {
      for (int i = 0; i < 20; i++) {
        Stages.await(registry.record(ClientId.of("c" + i), ConnectionStatus.CONNECTED));
      }
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
      while (registry.changes().latestRevision() < 20 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }

      assertThat(registry.changes().latestRevision()).isEqualTo(20);
      assertThat(registry.changes().compactedRevision()).isEqualTo(13);
    }
  }

  private static ConnectionRegistry open(String store) {
    return StoreModule.connectionRegistry(
        new ServerSettings("127.0.0.1", 0, StoreSpec.parse(store)),
        ServerSecurity.defaults(),
        WatchSettings.defaults());
  }

  @Test
  @Story("Watch")
  @DisplayName("--watch-history sets how many changes the in-memory store keeps for watchers")
  void watchHistoryReachesTheStore() {
    try (ConnectionRegistry registry =
        StoreModule.connectionRegistry(
            new ServerSettings("127.0.0.1", 0, StoreSpec.parse("memory")),
            ServerSecurity.defaults(),
            WatchSettings.of(10, WatchSettings.DEFAULT_PROGRESS_INTERVAL))) {
      for (int i = 0; i < 30; i++) {
        Stages.await(registry.record(ClientId.of("user_" + i), ConnectionStatus.CONNECTED));
      }
      assertThat(registry.changes().compactedRevision()).isEqualTo(20);
    }
  }
}

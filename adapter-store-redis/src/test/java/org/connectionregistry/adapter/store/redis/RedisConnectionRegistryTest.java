package org.connectionregistry.adapter.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.connectionregistry.domain.Stages.await;

import io.qameta.allure.Story;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.connectionregistry.adapter.store.redis.testing.RedisServer;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionRegistry;
import org.connectionregistry.domain.EngineOutageContract;
import org.connectionregistry.domain.ListingCursor;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.RegistryUnavailableException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Redis store: the registry contract on a real redis-server")
class RedisConnectionRegistryTest extends EngineOutageContract {

  private static RedisServer redis;

  @BeforeAll
  static void startRedis() throws Exception {
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() throws Exception {
    if (redis != null) {
      redis.close();
    }
  }

  @Override
  protected ConnectionRegistry newRegistry() {
    try {
      if (!redis.isRunning()) {
        redis.restart(); // a test before this one took it away
      }
      redis.flushAll();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return RedisConnectionRegistry.connect(redis.uri());
  }

  @Override
  protected void loseEngine() throws InterruptedException {
    redis.stop();
  }

  @Test
  @Story("Redis store")
  @DisplayName("a client whose status was removed from the hash by hand is skipped, and the listing still lists every other client")
  void listingSurvivesAMissingHashEntry() throws IOException {
    int count = 2 * ListingCursor.PAGE_SIZE + 10;
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ids.add(String.format("user_%05d", i));
    }
    for (String id : ids) {
      await(registry.record(ClientId.of(id), ConnectionStatus.CONNECTED));
    }
    // The last of the first page, the first of the second, and one in the middle.
    List<String> damaged =
        List.of(ids.get(ListingCursor.PAGE_SIZE - 1), ids.get(ListingCursor.PAGE_SIZE), ids.get(100));
    for (String id : damaged) {
      assertThat(redis.command("HDEL", "connreg:statuses", id)).isEqualTo("1");
    }
    List<String> expected = new ArrayList<>(ids);
    expected.removeAll(damaged);

    assertThat(await(registry.list(Optional.empty(), ListingCursor.PAGE_SIZE)))
        .as("a page stays full though IDs in it have no status")
        .hasSize(ListingCursor.PAGE_SIZE);
    assertThat(await(registry.listAll()))
        .extracting(client -> client.clientId().value())
        .containsExactlyElementsOf(expected);
    assertThat(await(registry.statusOf(ClientId.of(damaged.get(0))))).isEmpty();
  }

  @Test
  @Story("Redis store")
  @DisplayName("two registries on one Redis see each other's changes at once")
  void twoRegistriesShareState() {
    try (RedisConnectionRegistry other = RedisConnectionRegistry.connect(redis.uri())) {
      await(registry.record(ClientId.of("user_1"), ConnectionStatus.CONNECTED));
      assertThat(await(other.statusOf(ClientId.of("user_1")))).contains(ConnectionStatus.CONNECTED);

      ClientConnection first = await(other.record(ClientId.of("user_1"), ConnectionStatus.DISCONNECTED));
      ClientConnection second = await(other.record(ClientId.of("user_2"), ConnectionStatus.CONNECTED));
      assertThat(await(registry.listAll())).containsExactly(first, second);
      assertThat(first.status()).isEqualTo(ConnectionStatus.DISCONNECTED);
      assertThat(second.status()).isEqualTo(ConnectionStatus.CONNECTED);
    }
  }

  @Test
  @Story("Redis store")
  @DisplayName("statuses are kept in a hash and ordered in a sorted set, readable with redis-cli")
  void layoutIsReadableInRedis() throws IOException {
    await(registry.record(ClientId.of("José"), ConnectionStatus.CONNECTED));
    await(registry.record(ClientId.of("user_1"), ConnectionStatus.DISCONNECTED));

    assertThat(redis.command("HGET", "connreg:statuses", "José")).isEqualTo("connected");
    assertThat(redis.command("HGET", "connreg:statuses", "user_1")).isEqualTo("disconnected");
    assertThat(redis.command("ZCARD", "connreg:ids")).isEqualTo("2");
    assertThat(redis.command("ZSCORE", "connreg:ids", "José")).isEqualTo("0");
  }

  @Test
  @Story("Redis store")
  @DisplayName("a database number in the URI keeps the registry apart from database 0")
  void databaseNumberIsUsed() throws IOException {
    try (RedisConnectionRegistry inDb3 = RedisConnectionRegistry.connect(redis.uri() + "/3")) {
      await(inDb3.record(ClientId.of("only_in_3"), ConnectionStatus.CONNECTED));

      assertThat(await(registry.statusOf(ClientId.of("only_in_3")))).isEmpty();
      assertThat(await(inDb3.statusOf(ClientId.of("only_in_3")))).contains(ConnectionStatus.CONNECTED);
    }
  }

  @Test
  @Story("Redis store")
  @DisplayName("connecting where no Redis listens fails with one line naming the store")
  void connectingToNothingFailsClearly() throws Exception {
    int port;
    try (RedisServer stopped = RedisServer.start()) {
      port = stopped.port();
    }

    assertThatThrownBy(() -> RedisConnectionRegistry.connect("redis://127.0.0.1:" + port))
        .isInstanceOf(RegistryUnavailableException.class)
        .hasMessageStartingWith("Redis at 127.0.0.1:" + port + " is unavailable: ")
        .hasMessageContaining("refused")
        .hasMessageNotContaining("\n");
  }

  @Test
  @Story("Redis store")
  @DisplayName("a URI that is not redis://HOST:PORT[/DB] is rejected saying what is expected")
  void malformedUriIsRejected() {
    for (String uri : new String[] {"localhost:6379", "http://localhost:6379", "redis://", ""}) {
      assertThatThrownBy(() -> RedisConnectionRegistry.connect(uri))
          .as(uri)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Invalid Redis URI: expected redis://HOST:PORT[/DB], got '" + uri + "'");
    }
  }

  @Test
  @Story("Redis store")
  @DisplayName("a password in a rejected URI is not repeated in the message")
  void passwordIsNotEchoed() {
    assertThatThrownBy(() -> RedisConnectionRegistry.connect("redis://:secret@"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("secret");
  }
}

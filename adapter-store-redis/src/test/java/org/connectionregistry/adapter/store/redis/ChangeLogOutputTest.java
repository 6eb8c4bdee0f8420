package org.connectionregistry.adapter.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.ProtocolVersion;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.util.List;
import org.connectionregistry.adapter.store.redis.ChangeLogOutput.LogEntry;
import org.connectionregistry.adapter.store.redis.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Feature("Watch")
@Story("Redis change feed")
@DisplayName("The Redis change log's entries read straight from the reply, in either protocol version")
class ChangeLogOutputTest {

  private static RedisServer redis;

  @BeforeAll
  static void startRedis() throws Exception {
    redis = RedisServer.start();
    redis.command("XADD", "log", "1-0", "client", "user_1", "status", "connected", "reason", "hello", "at", "1700000000001");
    // A later version's extra field, a cluster's origin, a reset mark, a client ID beyond ASCII.
    redis.command("XADD", "log", "2-0", "client", "Zoë_用户", "status", "disconnected", "reason", "session lost",
        "at", "1700000000002", "priority", "7", "origin", "a1b2c3d4", "reset", "1");
    redis.command("XADD", "log", "3-0", "client", "42", "status", "connected", "reason", "session started", "at", "3");
  }

  @AfterAll
  static void stopRedis() throws Exception {
    if (redis != null) {
      redis.close();
    }
  }

  private static <T> T withCommands(ProtocolVersion protocol, java.util.function.Function<RedisCommands<String, String>, T> use) {
    RedisClient client = RedisClient.create(redis.uri());
    client.setOptions(ClientOptions.builder().protocolVersion(protocol).build());
    try (StatefulRedisConnection<String, String> connection = client.connect(OrderPreservingCodec.INSTANCE)) {
      return use.apply(connection.sync());
    } finally {
      client.shutdown();
    }
  }

  private static final LogEntry FIRST = new LogEntry("1-0", "user_1", "connected", "hello", 1700000000001L, null, false);
  private static final LogEntry SECOND =
      new LogEntry("2-0", "Zoë_用户", "disconnected", "session lost", 1700000000002L, "a1b2c3d4", true);
  private static final LogEntry THIRD = new LogEntry("3-0", "42", "connected", "session started", 3L, null, false);

  @ParameterizedTest
  @EnumSource(value = ProtocolVersion.class, names = {"RESP2", "RESP3"})
  @DisplayName("XREAD gives every entry after an ID with its fields, skipping fields it does not know")
  void readsEntriesAfterAnId(ProtocolVersion protocol) {
    List<LogEntry> read = withCommands(protocol, commands -> commands.dispatch(CommandType.XREAD,
        new ChangeLogOutput(true),
        new CommandArgs<>(OrderPreservingCodec.INSTANCE).add("COUNT").add(10).add("STREAMS").addKey("log").add("0-0")));

    assertThat(read).containsExactly(FIRST, SECOND, THIRD);
  }

  @ParameterizedTest
  @EnumSource(value = ProtocolVersion.class, names = {"RESP2", "RESP3"})
  @DisplayName("XREVRANGE gives the newest entries first, and a read with nothing new gives none")
  void readsNewestFirstAndNothing(ProtocolVersion protocol) {
    List<LogEntry> newest = withCommands(protocol, commands -> commands.dispatch(CommandType.XREVRANGE,
        new ChangeLogOutput(false),
        new CommandArgs<>(OrderPreservingCodec.INSTANCE).addKey("log").add("+").add("-").add("COUNT").add(2)));
    List<LogEntry> none = withCommands(protocol, commands -> commands.dispatch(CommandType.XREAD,
        new ChangeLogOutput(true),
        new CommandArgs<>(OrderPreservingCodec.INSTANCE).add("BLOCK").add(10).add("STREAMS").addKey("log").add("3-0")));

    assertThat(newest).containsExactly(THIRD, SECOND);
    assertThat(none).isEmpty();
  }
}

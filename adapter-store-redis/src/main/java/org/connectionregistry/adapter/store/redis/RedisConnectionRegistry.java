package org.connectionregistry.adapter.store.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionRegistry;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.RegistryUnavailableException;

/**
 * A registry kept in Redis, so several servers share one set of statuses and see each other's
 * changes at once.
 *
 * <p><b>Layout.</b> Two keys, always changed together by one small Lua script (atomic in Redis,
 * and safe on a connection shared by many threads, which MULTI/EXEC is not):
 *
 * <ul>
 *   <li>{@code connreg:statuses}, a hash from client ID to status label: exact lookups in O(1);
 *   <li>{@code connreg:ids}, a sorted set of client IDs, every score 0, so Redis keeps them in
 *       byte order: a page is {@code ZRANGEBYLEX connreg:ids (<after> + LIMIT 0 <n>}, O(log N + n).
 * </ul>
 *
 * A page of a listing is one small Lua script: it walks the sorted set from {@code after} and
 * reads the statuses with HMGET, so no single command walks the whole registry and blocks Redis
 * for everyone else. Clients are never removed, so every indexed ID should have a status; one
 * that has none (a hash entry removed by hand) is skipped and the script reads on, so a page is
 * always full while more clients follow, as the port's paging rule requires, and a damaged entry
 * never ends a listing early.
 *
 * <p><b>Order.</b> The port orders client IDs like {@link String#compareTo} (UTF-16 code units),
 * Redis orders bytes. IDs are stored as CESU-8, whose byte order is exactly UTF-16 order: it is
 * UTF-8 for every character of the Basic Multilingual Plane (so {@code redis-cli} shows them as
 * they are) and writes the rare characters beyond it as two 3-byte surrogates instead of one
 * 4-byte sequence. Plain UTF-8 would sort e.g. U+1D400 after U+FF21, and paging with
 * {@code after} would then skip or repeat clients.
 *
 * <p><b>Faults.</b> Every command times out after {@value #TIMEOUT_SECONDS} s. While Redis is
 * unreachable, commands are rejected at once rather than queued, so calls fail fast with a
 * {@link RegistryUnavailableException} naming the store; the connection reconnects in the
 * background and the same registry works again when Redis is back.
 *
 * <p><b>Start-up.</b> {@link #connect} fails with one clear line when Redis cannot be reached: a
 * server that starts without its shared store could serve nothing right, and at start-up a wrong
 * address is a likelier cause than an outage, so it is better said at once than hidden.
 */
public final class RedisConnectionRegistry implements ConnectionRegistry {

  static final String STATUSES_KEY = "connreg:statuses";
  static final String IDS_KEY = "connreg:ids";
  private static final int TIMEOUT_SECONDS = 2;
  private static final Duration TIMEOUT = Duration.ofSeconds(TIMEOUT_SECONDS);
  private static final Charset ORDER_PRESERVING = Charset.forName("CESU-8");

  /** Sets the status and indexes the ID in one atomic step. */
  private static final String RECORD_SCRIPT =
      "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])\n"
          + "redis.call('ZADD', KEYS[2], 0, ARGV[1])\n"
          + "return 1";

  /**
   * One page: KEYS[1] the sorted set, KEYS[2] the hash, ARGV[1] the ZRANGEBYLEX start, ARGV[2]
   * the page size. Returns id, label, id, label... Reads at most 1,024 IDs per step so the HMGET
   * stays well within Lua's stack; skips IDs without a status and reads on until the page is full
   * or the IDs run out.
   */
  private static final String PAGE_SCRIPT =
      "local limit = tonumber(ARGV[2])\n"
          + "local from = ARGV[1]\n"
          + "local page = {}\n"
          + "local found = 0\n"
          + "while found < limit do\n"
          + "  local want = math.min(limit - found, 1024)\n"
          + "  local ids = redis.call('ZRANGEBYLEX', KEYS[1], from, '+', 'LIMIT', 0, want)\n"
          + "  if #ids == 0 then break end\n"
          + "  local labels = redis.call('HMGET', KEYS[2], unpack(ids))\n"
          + "  for i = 1, #ids do\n"
          + "    if labels[i] then\n"
          + "      page[#page + 1] = ids[i]\n"
          + "      page[#page + 1] = labels[i]\n"
          + "      found = found + 1\n"
          + "    end\n"
          + "  end\n"
          + "  if #ids < want then break end\n"
          + "  from = '(' .. ids[#ids]\n"
          + "end\n"
          + "return page";

  private final String store;
  private final ClientResources resources;
  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final RedisCommands<String, String> commands;
  private final Script recordScript = new Script(RECORD_SCRIPT);
  private final Script pageScript = new Script(PAGE_SCRIPT);
  private volatile boolean closed;

  private RedisConnectionRegistry(
      String store,
      ClientResources resources,
      RedisClient client,
      StatefulRedisConnection<String, String> connection) {
    this.store = store;
    this.resources = resources;
    this.client = client;
    this.connection = connection;
    this.commands = connection.sync();
  }

  /**
   * Connects to the Redis at {@code uri}, {@code redis://HOST:PORT[/DB]}.
   *
   * @throws IllegalArgumentException if the URI is not of that form
   * @throws RegistryUnavailableException if Redis cannot be reached; the message is one line,
   *     e.g. {@code Redis at 127.0.0.1:6380 is unavailable: Connection refused}
   */
  public static RedisConnectionRegistry connect(String uri) {
    RedisURI redisUri = parse(uri);
    redisUri.setTimeout(TIMEOUT);
    String store = "Redis at " + redisUri.getHost() + ":" + redisUri.getPort();
    ClientResources resources =
        ClientResources.builder()
            // Back off, but never longer than a second, so recovery follows Redis's return.
            .reconnectDelay(Delay.exponential(Duration.ofMillis(20), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
            .build();
    RedisClient client = RedisClient.create(resources);
    client.setOptions(
        ClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(TIMEOUT))
            .socketOptions(SocketOptions.builder().connectTimeout(TIMEOUT).keepAlive(true).build())
            .build());
    try {
      StatefulRedisConnection<String, String> connection =
          client.connect(new StringCodec(ORDER_PRESERVING), redisUri);
      connection.setTimeout(TIMEOUT);
      return new RedisConnectionRegistry(store, resources, client, connection);
    } catch (RedisException e) {
      shutDown(client, resources);
      throw new RegistryUnavailableException(store + " is unavailable: " + reason(e), e);
    }
  }

  @Override
  public void record(ClientId clientId, ConnectionStatus status) {
    Objects.requireNonNull(status, "status");
    String[] keys = {STATUSES_KEY, IDS_KEY};
    call(() -> recordScript.run(ScriptOutputType.INTEGER, keys, clientId.value(), status.label()));
  }

  @Override
  public Optional<ConnectionStatus> statusOf(ClientId clientId) {
    String label = call(() -> commands.hget(STATUSES_KEY, clientId.value()));
    return Optional.ofNullable(label).map(ConnectionStatus::fromLabel);
  }

  @Override
  public List<ClientConnection> list(Optional<ClientId> after, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive, got " + limit);
    }
    String from = after.map(id -> "(" + id.value()).orElse("-");
    String[] keys = {IDS_KEY, STATUSES_KEY};
    List<Object> flat =
        call(() -> pageScript.run(ScriptOutputType.MULTI, keys, from, String.valueOf(limit)));
    List<ClientConnection> page = new ArrayList<>(flat.size() / 2);
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      page.add(
          new ClientConnection(
              new ClientId((String) flat.get(i)), ConnectionStatus.fromLabel((String) flat.get(i + 1))));
    }
    return page;
  }

  /** Asks Redis for a PING; false at once while the connection is down. */
  @Override
  public boolean isAvailable() {
    if (closed) {
      return false;
    }
    try {
      return "PONG".equals(commands.ping());
    } catch (RedisException e) {
      return false;
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    try {
      connection.close();
    } finally {
      shutDown(client, resources);
    }
  }

  @Override
  public String toString() {
    return store;
  }

  private <T> T call(Supplier<T> command) {
    if (closed) {
      throw new RegistryUnavailableException(store + " is closed");
    }
    try {
      return command.get();
    } catch (RedisException e) {
      if (closed) {
        throw new RegistryUnavailableException(store + " is closed");
      }
      throw new RegistryUnavailableException(store + " is unavailable: " + reason(e), e);
    }
  }

  /** A Lua script, sent once and then run by its digest (EVALSHA), which saves its text per call. */
  private final class Script {
    private final String text;
    private volatile String sha;

    Script(String text) {
      this.text = text;
    }

    <T> T run(ScriptOutputType type, String[] keys, String... args) {
      String known = sha;
      if (known != null) {
        try {
          return commands.evalsha(known, type, keys, args);
        } catch (RedisNoScriptException e) {
          // Redis restarted and forgot the script; EVAL below loads it again.
        }
      }
      T result = commands.eval(text, type, keys, args);
      sha = commands.digest(text);
      return result;
    }
  }

  private static RedisURI parse(String uri) {
    String shown = uri == null ? "null" : uri.replaceFirst("//[^/@]*@", "//***@");
    String expected = "expected redis://HOST:PORT[/DB], got '" + shown + "'";
    if (uri == null || !uri.startsWith("redis://")) {
      throw new IllegalArgumentException("Invalid Redis URI: " + expected);
    }
    try {
      RedisURI parsed = RedisURI.create(uri);
      if (parsed.getHost() == null || parsed.getHost().isEmpty()) {
        throw new IllegalArgumentException("no host");
      }
      return parsed;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("Invalid Redis URI: " + expected, e);
    }
  }

  /** The innermost message, which names the actual problem (refused, timed out...). */
  private static String reason(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage() != null ? root.getMessage() : e.getMessage();
    if (message == null) {
      return root.getClass().getSimpleName();
    }
    // Netty appends the address ("Connection refused: /127.0.0.1:6380"); the store names it already.
    return message.strip().replaceAll("\\s+", " ").replaceFirst(": [^ ]*/[0-9a-fA-F.:]+:[0-9]+$", "");
  }

  private static void shutDown(RedisClient client, ClientResources resources) {
    try {
      client.shutdown(Duration.ZERO, TIMEOUT);
    } finally {
      resources.shutdown(0, TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
  }
}

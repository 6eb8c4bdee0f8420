package org.connectionregistry.adapter.store.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionRegistry;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.RegistryUnavailableException;
import org.connectionregistry.domain.Stages;

/**
 * A registry kept in Redis, so several servers share one set of statuses and see each other's
 * changes at once: on one Redis ({@link #connect}, {@code redis://}) or on a Redis Cluster
 * ({@link #connectCluster}, {@code redis-cluster://}).
 *
 * <p><b>Layout.</b> Clients sit in buckets (see {@link Keyspace}): one on a single Redis, 64
 * spread over the slots of a cluster. A bucket is two keys, always changed together by one small
 * Lua script (atomic in Redis, and safe on a connection shared by many threads, which MULTI/EXEC
 * is not), and both in one slot:
 *
 * <ul>
 *   <li>{@code connreg:statuses}, a hash from client ID to status label: exact lookups in O(1);
 *   <li>{@code connreg:ids}, a sorted set of client IDs, every score 0, so Redis keeps them in
 *       byte order: a page is {@code ZRANGEBYLEX connreg:ids (<after> + LIMIT 0 <n>}, O(log N + n).
 * </ul>
 *
 * A bucket's page is one small Lua script: it walks the sorted set from {@code after} and reads
 * the statuses with HMGET, so no single command walks the whole registry and blocks Redis for
 * everyone else. Clients are never removed, so every indexed ID should have a status; one that
 * has none (a hash entry removed by hand) is skipped and the script reads on, so a page is always
 * full while more clients follow, as the port's paging rule requires, and a damaged entry never
 * ends a listing early. A listing over several buckets merges their pages in client-ID order
 * ({@link BucketMerge}).
 *
 * <p><b>Asynchronous.</b> Every call is sent on one connection (one per node of a cluster) and
 * returns at once; Lettuce pipelines the calls of every thread on it, and completes each stage
 * on its I/O thread when Redis answers. No thread waits for Redis.
 *
 * <p><b>Order.</b> The port orders client IDs like {@link String#compareTo} (UTF-16 code units),
 * Redis orders bytes. IDs are stored as CESU-8, whose byte order is exactly UTF-16 order: it is
 * UTF-8 for every character of the Basic Multilingual Plane (so {@code redis-cli} shows them as
 * they are) and writes the rare characters beyond it as two 3-byte surrogates instead of one
 * 4-byte sequence. Plain UTF-8 would sort e.g. U+1D400 after U+FF21, and paging with
 * {@code after} would then skip or repeat clients.
 *
 * <p><b>Faults.</b> Every command times out after {@value #TIMEOUT_SECONDS} s. While Redis (or the
 * node that serves a slot) is unreachable, commands are rejected at once rather than queued, so
 * calls fail fast with a {@link RegistryUnavailableException} naming the store; connections
 * reconnect in the background, a cluster's client refreshes its map of the slots when a node
 * fails over, and the same registry works again when Redis is back.
 *
 * <p><b>Start-up.</b> Connecting fails with one clear line when Redis cannot be reached: a
 * server that starts without its shared store could serve nothing right, and at start-up a wrong
 * address is a likelier cause than an outage, so it is better said at once than hidden.
 */
public final class RedisConnectionRegistry implements ConnectionRegistry {

  static final String STATUSES_KEY = "connreg:statuses";
  static final String IDS_KEY = "connreg:ids";
  private static final int TIMEOUT_SECONDS = 2;
  private static final Duration TIMEOUT = Duration.ofSeconds(TIMEOUT_SECONDS);
  private static final Charset ORDER_PRESERVING = Charset.forName("CESU-8");
  private static final String SINGLE_FORM = "redis://HOST:PORT[/DB]";
  private static final String CLUSTER_FORM = "redis-cluster://HOST:PORT[,HOST:PORT...]";

  /** Sets the status and indexes the ID in one atomic step. */
  private static final String RECORD_SCRIPT =
      "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])\n"
          + "redis.call('ZADD', KEYS[2], 0, ARGV[1])\n"
          + "return 1";

  /**
   * One page of one bucket: KEYS[1] the sorted set, KEYS[2] the hash, ARGV[1] the ZRANGEBYLEX
   * start, ARGV[2] the page size. Returns id, label, id, label... Reads at most 1,024 IDs per step
   * so the HMGET stays well within Lua's stack; skips IDs without a status and reads on until the
   * page is full or the IDs run out.
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
  private final Keyspace keyspace;
  private final ClientResources resources;
  private final AbstractRedisClient client;
  private final StatefulConnection<String, String> connection;
  private final RedisClusterAsyncCommands<String, String> commands;
  private final Script recordScript;
  private final Script pageScript;
  private final boolean cluster;
  private volatile boolean closed;

  private RedisConnectionRegistry(
      String store,
      Keyspace keyspace,
      ClientResources resources,
      AbstractRedisClient client,
      StatefulConnection<String, String> connection,
      RedisClusterAsyncCommands<String, String> commands,
      boolean cluster) {
    this.store = store;
    this.keyspace = keyspace;
    this.resources = resources;
    this.client = client;
    this.connection = connection;
    this.commands = commands;
    this.cluster = cluster;
    this.recordScript = new Script(RECORD_SCRIPT);
    this.pageScript = new Script(PAGE_SCRIPT);
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
    ClientResources resources = resources();
    RedisClient client = RedisClient.create(resources);
    client.setOptions(
        ClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(TIMEOUT))
            .socketOptions(socketOptions())
            .build());
    try {
      StatefulRedisConnection<String, String> connection = client.connect(codec(), redisUri);
      connection.setTimeout(TIMEOUT);
      return new RedisConnectionRegistry(
              store, Keyspace.single(), resources, client, connection, connection.async(), false)
          .withScriptsLoaded();
    } catch (RedisException e) {
      shutDown(client, resources);
      throw new RegistryUnavailableException(store + " is unavailable: " + reason(e), e);
    }
  }

  /**
   * Connects to the Redis Cluster that the nodes in {@code uri} belong to, {@code
   * redis-cluster://HOST:PORT[,HOST:PORT...]}; one reachable node is enough to find the others.
   *
   * @throws IllegalArgumentException if the URI is not of that form
   * @throws RegistryUnavailableException if no node can be reached, or they form no cluster
   */
  public static RedisConnectionRegistry connectCluster(String uri) {
    List<RedisURI> nodes = parseCluster(uri);
    String store = "Redis Cluster at " + uri.substring("redis-cluster://".length());
    ClientResources resources = resources();
    RedisClusterClient client = RedisClusterClient.create(resources, nodes);
    client.setOptions(
        ClusterClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(TIMEOUT))
            .socketOptions(socketOptions())
            // A failover moves slots to a replica: learn it from redirections and failed
            // reconnects at once, and look again every second in case nothing triggered.
            .topologyRefreshOptions(
                ClusterTopologyRefreshOptions.builder()
                    .enableAllAdaptiveRefreshTriggers()
                    .adaptiveRefreshTriggersTimeout(Duration.ofMillis(500))
                    .refreshTriggersReconnectAttempts(1)
                    .enablePeriodicRefresh(Duration.ofSeconds(1))
                    .build())
            .build());
    try {
      StatefulRedisClusterConnection<String, String> connection = client.connect(codec());
      connection.setTimeout(TIMEOUT);
      return new RedisConnectionRegistry(
              store, Keyspace.cluster(), resources, client, connection, connection.async(), true)
          .withScriptsLoaded();
    } catch (RedisException e) {
      shutDown(client, resources);
      throw new RegistryUnavailableException(store + " is unavailable: " + reason(e), e);
    }
  }

  /**
   * Loads the scripts before the first call (SCRIPT LOAD goes to every master of a cluster), so
   * that a burst of first calls does not all meet NOSCRIPT and send the script's text each. A node
   * that does not have them later (a promoted replica, a restarted Redis) is served by the
   * fallback in {@link Script}; a failure here is therefore not an error.
   */
  private RedisConnectionRegistry withScriptsLoaded() {
    try {
      for (String script : new String[] {RECORD_SCRIPT, PAGE_SCRIPT}) {
        commands.scriptLoad(script).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // the fallback loads them when needed
    }
    return this;
  }

  // Issue 10, in progress on this branch: revisions, counts and the change feed are not kept by
  // this store yet; until they are, changes carry no revision and counts walk the registry.
  private final org.connectionregistry.domain.ChangeHistory pendingHistory =
      new org.connectionregistry.domain.ChangeHistory(1);

  @Override
  public CompletionStage<ClientConnection> record(
      ClientId clientId, ConnectionStatus status, org.connectionregistry.domain.ChangeReason reason) {
    return recordStatus(clientId, status).thenApply(done -> new ClientConnection(clientId, status));
  }

  @Override
  public CompletionStage<org.connectionregistry.domain.ClientCounts> counts() {
    return listAll()
        .thenApply(
            all -> {
              long connected =
                  all.stream().filter(c -> c.status() == ConnectionStatus.CONNECTED).count();
              return new org.connectionregistry.domain.ClientCounts(
                  connected, all.size() - connected, 0);
            });
  }

  @Override
  public org.connectionregistry.domain.ChangeFeed changes() {
    return pendingHistory;
  }

  private CompletionStage<Void> recordStatus(ClientId clientId, ConnectionStatus status) {
    Objects.requireNonNull(status, "status");
    String id = clientId.value();
    int bucket = keyspace.bucketOf(id);
    String[] keys = {keyspace.statusesKey(bucket), keyspace.idsKey(bucket)};
    return call(() -> recordScript.<Long>run(ScriptOutputType.INTEGER, keys, id, status.label()))
        .thenApply(one -> null);
  }

  @Override
  public CompletionStage<Optional<ConnectionStatus>> statusOf(ClientId clientId) {
    String id = clientId.value();
    return call(() -> commands.hget(keyspace.statusesKey(keyspace.bucketOf(id)), id))
        .thenApply(label -> Optional.ofNullable(label).map(ConnectionStatus::fromLabel));
  }

  @Override
  public CompletionStage<List<ClientConnection>> list(Optional<ClientId> after, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive, got " + limit);
    }
    if (closed) {
      return Stages.failed(new RegistryUnavailableException(store + " is closed"));
    }
    return BucketMerge.page(this::readBucket, keyspace.buckets(), after, limit);
  }

  private CompletionStage<List<ClientConnection>> readBucket(
      int bucket, Optional<ClientId> after, int limit) {
    String from = after.map(id -> "(" + id.value()).orElse("-");
    String[] keys = {keyspace.idsKey(bucket), keyspace.statusesKey(bucket)};
    return call(() -> pageScript.<List<Object>>run(ScriptOutputType.MULTI, keys, from, String.valueOf(limit)))
        .thenApply(RedisConnectionRegistry::toPage);
  }

  private static List<ClientConnection> toPage(List<Object> flat) {
    List<ClientConnection> page = new ArrayList<>(flat.size() / 2);
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      page.add(
          new ClientConnection(
              new ClientId((String) flat.get(i)), ConnectionStatus.fromLabel((String) flat.get(i + 1))));
    }
    return page;
  }

  /**
   * Asks Redis whether it can serve every client: a PING on one Redis; on a cluster, CLUSTER
   * INFO, which says {@code cluster_state:ok} only while every slot has a master. False at once
   * while the connection is down, and within the command timeout otherwise.
   */
  @Override
  public boolean isAvailable() {
    if (closed) {
      return false;
    }
    try {
      if (cluster) {
        return commands.clusterInfo().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).contains("cluster_state:ok");
      }
      return "PONG".equals(commands.ping().get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (Exception e) {
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

  /** Sends a command, unless closed; a Redis failure becomes the port's unavailable error. */
  private <T> CompletionStage<T> call(java.util.function.Supplier<CompletionStage<T>> command) {
    if (closed) {
      return Stages.failed(new RegistryUnavailableException(store + " is closed"));
    }
    CompletionStage<T> sent;
    try {
      sent = command.get();
    } catch (RedisException e) {
      return Stages.failed(unavailable(e));
    }
    return sent.exceptionallyCompose(failure -> Stages.failed(unavailable(Stages.cause(failure))));
  }

  private RegistryUnavailableException unavailable(Throwable failure) {
    if (failure instanceof RegistryUnavailableException unavailable) {
      return unavailable;
    }
    if (closed) {
      return new RegistryUnavailableException(store + " is closed");
    }
    return new RegistryUnavailableException(store + " is unavailable: " + reason(failure), failure);
  }

  /**
   * A Lua script, run by its digest (EVALSHA), which saves sending its text with every call. A
   * node that does not know it yet (a new or restarted one) answers NOSCRIPT, and EVAL sends it.
   */
  private final class Script {
    private final String text;
    private final String sha;

    Script(String text) {
      this.text = text;
      this.sha = commands.digest(text);
    }

    <T> CompletionStage<T> run(ScriptOutputType type, String[] keys, String... args) {
      CompletionStage<T> bySha = commands.evalsha(sha, type, keys, args);
      return bySha.exceptionallyCompose(
          failure ->
              Stages.cause(failure) instanceof RedisNoScriptException
                  ? commands.<T>eval(text, type, keys, args)
                  : Stages.failed(failure));
    }
  }

  private static ClientResources resources() {
    return ClientResources.builder()
        // Back off, but never longer than a second, so recovery follows Redis's return.
        .reconnectDelay(Delay.exponential(Duration.ofMillis(20), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
        .build();
  }

  private static SocketOptions socketOptions() {
    return SocketOptions.builder().connectTimeout(TIMEOUT).keepAlive(true).build();
  }

  private static RedisCodec<String, String> codec() {
    return new StringCodec(ORDER_PRESERVING);
  }

  private static RedisURI parse(String uri) {
    String shown = uri == null ? "null" : uri.replaceFirst("//[^/@]*@", "//***@");
    String expected = "expected " + SINGLE_FORM + ", got '" + shown + "'";
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

  private static List<RedisURI> parseCluster(String uri) {
    String shown = uri == null ? "null" : uri.replaceAll("[^/,@]*@", "***@");
    String expected = "expected " + CLUSTER_FORM + ", got '" + shown + "'";
    if (uri == null || !uri.startsWith("redis-cluster://")) {
      throw new IllegalArgumentException("Invalid Redis Cluster URI: " + expected);
    }
    String list = uri.substring("redis-cluster://".length());
    List<RedisURI> nodes = new ArrayList<>();
    for (String node : list.split(",", -1)) {
      int colon = node.lastIndexOf(':');
      if (colon <= 0 || colon == node.length() - 1 || node.contains("@") || node.contains("/")) {
        throw new IllegalArgumentException("Invalid Redis Cluster URI: " + expected);
      }
      int port;
      try {
        port = Integer.parseInt(node.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Invalid Redis Cluster URI: " + expected, e);
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("Invalid Redis Cluster URI: " + expected);
      }
      RedisURI redisUri = RedisURI.create(node.substring(0, colon), port);
      redisUri.setTimeout(TIMEOUT);
      nodes.add(redisUri);
    }
    return nodes;
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

  private static void shutDown(AbstractRedisClient client, ClientResources resources) {
    try {
      client.shutdown(Duration.ZERO, TIMEOUT);
    } finally {
      resources.shutdown(0, TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
  }
}

package org.connectionregistry.adapter.store.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.domain.ChangeFeed;
import org.connectionregistry.domain.ChangeHistory;
import org.connectionregistry.domain.ChangeReason;
import org.connectionregistry.domain.ClientChange;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientCounts;
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
 * spread over the slots of a cluster. A bucket's keys are always changed together by one small
 * Lua script (atomic in Redis, and safe on a connection shared by many threads, which MULTI/EXEC
 * is not), and all in one slot:
 *
 * <ul>
 *   <li>{@code connreg:statuses}, a hash from client ID to status label: exact lookups in O(1);
 *   <li>{@code connreg:ids}, a sorted set of client IDs, every score 0, so Redis keeps them in
 *       byte order: a page is {@code ZRANGEBYLEX connreg:ids (<after> + LIMIT 0 <n>}, O(log N + n);
 *   <li>{@code connreg:revisions}, a hash from client ID to {@code REVISION:EPOCH_MILLIS} of its
 *       last change (none for a client stored by an earlier version, until it changes);
 *   <li>{@code connreg:counts}, the bucket's connected and disconnected clients.
 * </ul>
 *
 * <p><b>Revisions and the change feed.</b> The registry's revision is a counter and its recent
 * changes a Redis Stream with entry IDs {@code REVISION-0}. On one Redis changes are written in
 * batches, one script each ({@link #BATCH_SCRIPT}, {@link WriteBatcher}); on a cluster, where the
 * log has a slot of its own, a change is logged first and then applied to its bucket with a revision guard ({@link #recordInCluster}). Every registry
 * object follows the stream with one {@link ChangeLogReader}, which feeds its watchers. Times are
 * Redis's {@code TIME}: one clock for every server.
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
  private static final String SINGLE_FORM = "redis://HOST:PORT[/DB]";
  private static final String CLUSTER_FORM = "redis-cluster://HOST:PORT[,HOST:PORT...]";
  private static final String CONNECTED = ConnectionStatus.CONNECTED.label();
  private static final String DISCONNECTED = ConnectionStatus.DISCONNECTED.label();

  /** The time of Redis's clock in epoch milliseconds, as a string: every server's one clock. */
  private static final String NOW =
      "local clock = redis.call('TIME')\n"
          + "local at = string.format('%d', tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000))\n";

  /**
   * The next revision: one above the stored counter, or above {@code floor} (ARGV[4], the newest
   * revision the calling server has read from the log) when the counter is below it, which only
   * happens when Redis lost writes (a restart without persistence, a failover): revisions then
   * still never go back, and the change is marked {@code reset} so every reader knows. Then the
   * change is appended to the log (KEYS[log]) as entry {@code REVISION-0}, trimmed to about
   * ARGV[5] entries. XADD comes first: should it fail, nothing has been written.
   */
  private static String nextRevisionAndLog(int counter, int log, String extraFields) {
    return "local stored = tonumber(redis.call('GET', KEYS[" + counter + "]) or '0')\n"
        + "local floor = tonumber(ARGV[4])\n"
        + "local revision = string.format('%d', math.max(stored, floor) + 1)\n"
        + NOW
        + "local entry = {'client', ARGV[1], 'status', ARGV[2], 'reason', ARGV[3], 'at', at" + extraFields + "}\n"
        + "if floor > stored then entry[#entry + 1] = 'reset'; entry[#entry + 1] = '1' end\n"
        + "redis.call('XADD', KEYS[" + log + "], 'MAXLEN', '~', ARGV[5], revision .. '-0', unpack(entry))\n"
        + "redis.call('SET', KEYS[" + counter + "], revision)\n";
  }

  /**
   * One Redis: a batch of changes in one atomic script, applied in their order. KEYS: statuses,
   * ids, revisions, counts, revision, changes; ARGV: floor, history size, then id, status, reason
   * for each change. What a batch needs once is done once: the clock, the revision counter (read
   * once, written once), the counts (accumulated, then one HINCRBY per label), trimming the log.
   * A change whose client already has the status changes nothing and answers the client's entry
   * as it is. Returns the error that stopped the batch, or false (nil), then one entry per change
   * done, {@code REVISION:EPOCH_MILLIS}, or false for an unchanged client stored by an earlier
   * version: the changes before an error are written, counted and answered, the rest fail (pcall,
   * so the counter and counts always match what was logged; else the next batch would reuse the
   * revisions). The floor (see {@link #floor}) works as for a single change: the batch's first
   * change goes above it and is marked {@code reset}; the rest follow it. XADD comes first for every change, so a failing one leaves that change and
   * the rest of the batch unwritten, and the counter is written with the last revision logged.
   */
  private static final String BATCH_SCRIPT =
      "local stored = tonumber(redis.call('GET', KEYS[5]) or '0')\n"
          + "local floor = tonumber(ARGV[1])\n"
          + "local revision = math.max(stored, floor)\n"
          + "local reset = floor > stored\n"
          + NOW
          + "local delta, labels, answers = {}, {}, {false}\n"
          + "local function count(label, by)\n"
          + "  if delta[label] == nil then delta[label] = 0; labels[#labels + 1] = label end\n"
          + "  delta[label] = delta[label] + by\n"
          + "end\n"
          + "local logged = false\n"
          + "local ok, failure = pcall(function()\n"
          + "  for i = 3, #ARGV, 3 do\n"
          + "    local id, status = ARGV[i], ARGV[i + 1]\n"
          + "    local current = redis.call('HGET', KEYS[1], id)\n"
          + "    if current == status then\n"
          + "      answers[#answers + 1] = redis.call('HGET', KEYS[3], id)\n"
          + "    else\n"
          + "      local numbered = string.format('%d', revision + 1)\n"
          + "      if reset then\n"
          + "        redis.call('XADD', KEYS[6], numbered .. '-0', 'client', id, 'status', status, 'reason', ARGV[i + 2], 'at', at, 'reset', '1')\n"
          + "        reset = false\n"
          + "      else\n"
          + "        redis.call('XADD', KEYS[6], numbered .. '-0', 'client', id, 'status', status, 'reason', ARGV[i + 2], 'at', at)\n"
          + "      end\n"
          + "      revision = revision + 1\n"
          + "      logged = true\n"
          + "      redis.call('HSET', KEYS[1], id, status)\n"
          + "      if current then count(current, -1) else redis.call('ZADD', KEYS[2], 0, id) end\n"
          + "      count(status, 1)\n"
          + "      local stamp = numbered .. ':' .. at\n"
          + "      redis.call('HSET', KEYS[3], id, stamp)\n"
          + "      answers[#answers + 1] = stamp\n"
          + "    end\n"
          + "  end\n"
          + "end)\n"
          + "if logged then\n"
          + "  redis.call('SET', KEYS[5], string.format('%d', revision))\n"
          + "  redis.call('XTRIM', KEYS[6], 'MAXLEN', '~', ARGV[2])\n"
          + "end\n"
          + "for i = 1, #labels do\n"
          + "  if delta[labels[i]] ~= 0 then redis.call('HINCRBY', KEYS[4], labels[i], delta[labels[i]]) end\n"
          + "end\n"
          + "if not ok then answers[1] = tostring(type(failure) == 'table' and failure.err or failure) end\n"
          + "return answers";

  /** Cluster, step 0: a client's status and entry, in one read of its bucket. */
  private static final String READ_SCRIPT =
      "return {redis.call('HGET', KEYS[1], ARGV[1]), redis.call('HGET', KEYS[2], ARGV[1])}";

  /**
   * Cluster, step 1, in the log's slot: the next revision and the log entry. KEYS: revision,
   * changes; ARGV: id, status, reason, floor, history size, origin. Returns {revision, at}.
   */
  private static final String LOG_SCRIPT =
      nextRevisionAndLog(1, 2, ", 'origin', ARGV[6]") + "return {revision, at}";

  /**
   * Cluster, step 2, in the client's bucket: applies changes (ARGV: id, status, revision, at,
   * id, status...) unless the client already has a later one, so applying twice or late is
   * harmless, and keeps the bucket's counts. KEYS: statuses, ids, revisions, counts.
   */
  private static final String APPLY_SCRIPT =
      "local applied = 0\n"
          + "for i = 1, #ARGV, 4 do\n"
          + "  local id, status, revision = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])\n"
          + "  local stamp = redis.call('HGET', KEYS[3], id)\n"
          + "  local have = 0\n"
          + "  if stamp then have = tonumber(string.match(stamp, '^(%d+)')) end\n"
          + "  if have < revision then\n"
          + "    local current = redis.call('HGET', KEYS[1], id)\n"
          + "    redis.call('HSET', KEYS[1], id, status)\n"
          + "    redis.call('HSET', KEYS[3], id, ARGV[i + 2] .. ':' .. ARGV[i + 3])\n"
          + "    if not current then redis.call('ZADD', KEYS[2], 0, id) end\n"
          + "    if current ~= status then\n"
          + "      if current then redis.call('HINCRBY', KEYS[4], current, -1) end\n"
          + "      redis.call('HINCRBY', KEYS[4], status, 1)\n"
          + "    end\n"
          + "    applied = applied + 1\n"
          + "  end\n"
          + "end\n"
          + "return applied";

  /** One Redis: the counts and the revision they are current to, in one read. */
  private static final String COUNTS_SCRIPT =
      "return {redis.call('HGET', KEYS[1], '" + CONNECTED + "'), redis.call('HGET', KEYS[1], '"
          + DISCONNECTED + "'), redis.call('GET', KEYS[2])}";

  /**
   * Data of an earlier version has statuses but no counts: counts a bucket's statuses once (the
   * one walk, at the first start of this version), unless its counts exist. KEYS: statuses,
   * counts. Returns how many clients it counted.
   */
  private static final String MIGRATE_SCRIPT =
      "if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end\n"
          + "local labels = redis.call('HVALS', KEYS[1])\n"
          + "if #labels == 0 then return 0 end\n"
          + "local connected = 0\n"
          + "for i = 1, #labels do if labels[i] == '" + CONNECTED + "' then connected = connected + 1 end end\n"
          + "redis.call('HSET', KEYS[2], '" + CONNECTED + "', connected, '" + DISCONNECTED + "', #labels - connected)\n"
          + "return #labels";

  /**
   * One page of one bucket: KEYS[1] the sorted set, KEYS[2] the statuses, KEYS[3] the entries,
   * ARGV[1] the ZRANGEBYLEX start, ARGV[2] the page size. Returns id, label, entry, id, label,
   * entry... (an entry is nil for a client stored by an earlier version). Reads at most 1,024 IDs
   * per step so the HMGETs stay well within Lua's stack; skips IDs without a status and reads on
   * until the page is full or the IDs run out.
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
          + "  local stamps = redis.call('HMGET', KEYS[3], unpack(ids))\n"
          + "  for i = 1, #ids do\n"
          + "    if labels[i] then\n"
          + "      page[#page + 1] = ids[i]\n"
          + "      page[#page + 1] = labels[i]\n"
          + "      page[#page + 1] = stamps[i]\n"
          + "      found = found + 1\n"
          + "    end\n"
          + "  end\n"
          + "  if #ids < want then break end\n"
          + "  from = '(' .. ids[#ids]\n"
          + "end\n"
          + "return page";

  private static final String[] SCRIPTS = {
    BATCH_SCRIPT, READ_SCRIPT, LOG_SCRIPT, APPLY_SCRIPT, COUNTS_SCRIPT, MIGRATE_SCRIPT, PAGE_SCRIPT
  };

  /**
   * One Redis: at most this many changes per batch script, so that one script never holds Redis
   * for long (a few milliseconds for 512 on this machine).
   */
  private static final int MAX_BATCH = 512;

  /**
   * One Redis: batch scripts on their way at once. Two, so Redis has the next batch to run while
   * the server reads the answer to the one before: with one, the server and Redis take turns and
   * wait for the scheduler between (measured: 3 to 6 times the calls/s with two, same load).
   * Commands on one connection run in the order sent, so the batches are applied in queue order.
   * (One case only can swap two batches: Redis lost its scripts, the first meets NOSCRIPT, and
   * another server loads the script before the second arrives; the first then runs after it, by
   * EVAL. Its calls were in flight at the same time as the second's, so no caller could rely on
   * their order, and the revisions, log and statuses still agree with each other.)
   */
  private static final int BATCHES_IN_FLIGHT = 2;

  /** Changes per APPLY script call when repairing. */
  private static final int REPAIR_CHUNK = 256;

  private final String store;
  private final Keyspace keyspace;
  private final ClientResources resources;
  private final AbstractRedisClient client;
  private final StatefulConnection<String, String> connection;
  private final RedisClusterAsyncCommands<String, String> commands;
  private final Script batchScript;
  /** One Redis: this server's changes, queued in call order and written in batches. */
  private final WriteBatcher<Change, ClientConnection> batcher;
  /** One Redis: the keys of {@link #BATCH_SCRIPT}. */
  private final String[] batchKeys;
  private final Script readScript;
  private final Script logScript;
  private final Script applyScript;
  private final Script countsScript;
  private final Script pageScript;
  private final boolean cluster;
  private final int historyCapacity;
  private final String historySize;
  /** Names this registry object in the log entries it writes (cluster), so its reader knows them. */
  private final String origin = UUID.randomUUID().toString().substring(0, 8);
  /** Cluster: the change in flight per client, so one server's changes to a client follow each other. */
  private final ConcurrentHashMap<String, CompletableFuture<ClientConnection>> inFlight =
      new ConcurrentHashMap<>();
  private volatile ChangeLogReader reader;
  /** The newest revision this registry object has been told of by a write: part of the floor. */
  private final java.util.concurrent.atomic.AtomicLong newestWritten = new java.util.concurrent.atomic.AtomicLong();
  private volatile boolean closed;

  private RedisConnectionRegistry(
      String store,
      Keyspace keyspace,
      ClientResources resources,
      AbstractRedisClient client,
      StatefulConnection<String, String> connection,
      RedisClusterAsyncCommands<String, String> commands,
      boolean cluster,
      int historyCapacity) {
    this.store = store;
    this.keyspace = keyspace;
    this.resources = resources;
    this.client = client;
    this.connection = connection;
    this.commands = commands;
    this.cluster = cluster;
    this.historyCapacity = historyCapacity;
    this.historySize = String.valueOf(historyCapacity);
    this.batchScript = new Script(BATCH_SCRIPT);
    this.batchKeys =
        new String[] {
          keyspace.statusesKey(0), keyspace.idsKey(0), keyspace.revisionsKey(0), keyspace.countsKey(0),
          keyspace.revisionKey(), keyspace.changesKey()
        };
    this.batcher =
        new WriteBatcher<>(
            MAX_BATCH, BATCHES_IN_FLIGHT, this::sendBatch,
            () -> new RegistryUnavailableException(store + " is closed"));
    this.readScript = new Script(READ_SCRIPT);
    this.logScript = new Script(LOG_SCRIPT);
    this.applyScript = new Script(APPLY_SCRIPT);
    this.countsScript = new Script(COUNTS_SCRIPT);
    this.pageScript = new Script(PAGE_SCRIPT);
  }

  /**
   * Connects to the Redis at {@code uri}, {@code redis://HOST:PORT[/DB]}, keeping the last
   * {@link ChangeHistory#DEFAULT_CAPACITY} changes for watchers.
   *
   * @throws IllegalArgumentException if the URI is not of that form
   * @throws RegistryUnavailableException if Redis cannot be reached; the message is one line,
   *     e.g. {@code Redis at 127.0.0.1:6380 is unavailable: Connection refused}
   */
  public static RedisConnectionRegistry connect(String uri) {
    return connect(uri, ChangeHistory.DEFAULT_CAPACITY);
  }

  /**
   * Connects to the Redis at {@code uri}, {@code redis://HOST:PORT[/DB]}, keeping about the last
   * {@code historyCapacity} changes in Redis's change log and in this server's history.
   *
   * @throws IllegalArgumentException if the URI is not of that form, or the capacity is below 1
   * @throws RegistryUnavailableException if Redis cannot be reached; the message is one line,
   *     e.g. {@code Redis at 127.0.0.1:6380 is unavailable: Connection refused}
   */
  public static RedisConnectionRegistry connect(String uri, int historyCapacity) {
    checkCapacity(historyCapacity);
    RedisURI redisUri = parse(uri);
    redisUri.setTimeout(TIMEOUT);
    String store = "Redis at " + redisUri.getHost() + ":" + redisUri.getPort();
    ClientResources resources = RedisClients.resources();
    RedisClient client = RedisClient.create(resources);
    client.setOptions(
        RedisClients.standalone(TIMEOUT));
    RedisConnectionRegistry registry = null;
    try {
      StatefulRedisConnection<String, String> connection = client.connect(codec(), redisUri);
      connection.setTimeout(TIMEOUT);
      registry =
          new RedisConnectionRegistry(
              store, Keyspace.single(), resources, client, connection, connection.async(), false,
              historyCapacity);
      StatefulRedisConnection<String, String> log = client.connect(codec(), redisUri);
      log.setTimeout(TIMEOUT);
      return registry.started(log.sync(), log::close);
    } catch (RedisException e) {
      abandon(registry, client, resources);
      throw new RegistryUnavailableException(store + " is unavailable: " + reason(e), e);
    }
  }

  /**
   * Connects to the Redis Cluster that the nodes in {@code uri} belong to, {@code
   * redis-cluster://HOST:PORT[,HOST:PORT...]}; one reachable node is enough to find the others.
   * Keeps the last {@link ChangeHistory#DEFAULT_CAPACITY} changes for watchers.
   *
   * @throws IllegalArgumentException if the URI is not of that form
   * @throws RegistryUnavailableException if no node can be reached, or they form no cluster
   */
  public static RedisConnectionRegistry connectCluster(String uri) {
    return connectCluster(uri, ChangeHistory.DEFAULT_CAPACITY);
  }

  /**
   * {@link #connectCluster(String)}, keeping about the last {@code historyCapacity} changes.
   *
   * @throws IllegalArgumentException if the URI is not of that form, or the capacity is below 1
   * @throws RegistryUnavailableException if no node can be reached, or they form no cluster
   */
  public static RedisConnectionRegistry connectCluster(String uri, int historyCapacity) {
    checkCapacity(historyCapacity);
    List<RedisURI> nodes = parseCluster(uri);
    String store = "Redis Cluster at " + uri.substring("redis-cluster://".length());
    ClientResources resources = RedisClients.resources();
    RedisClusterClient client = RedisClusterClient.create(resources, nodes);
    client.setOptions(
        RedisClients.cluster(TIMEOUT));
    RedisConnectionRegistry registry = null;
    try {
      StatefulRedisClusterConnection<String, String> connection = client.connect(codec());
      connection.setTimeout(TIMEOUT);
      registry =
          new RedisConnectionRegistry(
              store, Keyspace.cluster(), resources, client, connection, connection.async(), true,
              historyCapacity);
      StatefulRedisClusterConnection<String, String> log = client.connect(codec());
      log.setTimeout(TIMEOUT);
      return registry.started(log.sync(), log::close);
    } catch (RedisException e) {
      abandon(registry, client, resources);
      throw new RegistryUnavailableException(store + " is unavailable: " + reason(e), e);
    }
  }

  private static void checkCapacity(int historyCapacity) {
    if (historyCapacity < 1) {
      throw new IllegalArgumentException("history capacity must be positive, got " + historyCapacity);
    }
  }

  private static void abandon(
      RedisConnectionRegistry registry, AbstractRedisClient client, ClientResources resources) {
    if (registry != null) {
      registry.close();
    } else {
      shutDown(client, resources);
    }
  }

  /**
   * Loads the scripts, counts the clients of an earlier version's data once, loads the change
   * log's tail and starts following it on the connection {@code log}.
   */
  private RedisConnectionRegistry started(
      RedisClusterCommands<String, String> log, Runnable closeLog) {
    withScriptsLoaded();
    try {
      // A Redis that answers, only slowly (a loaded machine), gets a few chances at start: the
      // start-up reads (counting old data, loading the log's tail) are safe to repeat.
      for (int attempt = 1; ; attempt++) {
        try {
          for (int bucket = 0; bucket < keyspace.buckets(); bucket++) {
            String[] keys = {keyspace.statusesKey(bucket), keyspace.countsKey(bucket)};
            commands.<Long>eval(MIGRATE_SCRIPT, ScriptOutputType.INTEGER, keys)
                .get(TIMEOUT_SECONDS * 5L, TimeUnit.SECONDS);
          }
          reader =
              new ChangeLogReader(
                  log, closeLog, keyspace.changesKey(), keyspace.revisionKey(), historyCapacity,
                  origin, cluster ? this::repair : null);
          break;
        } catch (Exception e) {
          if (attempt >= 3 || !(Stages.cause(e) instanceof io.lettuce.core.RedisCommandTimeoutException)) {
            throw e;
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closeLog.run();
      throw new RegistryUnavailableException(store + " is unavailable: interrupted while starting", e);
    } catch (RedisException e) {
      closeLog.run();
      throw e;
    } catch (Exception e) {
      closeLog.run();
      Throwable cause = Stages.cause(e);
      if (cause instanceof RedisException redis) {
        throw redis;
      }
      throw new RedisException(reason(cause), cause);
    }
    reader.start();
    return this;
  }

  /**
   * Loads the scripts before the first call (SCRIPT LOAD goes to every master of a cluster), so
   * that a burst of first calls does not all meet NOSCRIPT and send the script's text each. A node
   * that does not have them later (a promoted replica, a restarted Redis) is served by the
   * fallback in {@link Script}; a failure here is therefore not an error.
   */
  private void withScriptsLoaded() {
    try {
      for (String script : SCRIPTS) {
        commands.scriptLoad(script).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // the fallback loads them when needed
    }
  }

  @Override
  public CompletionStage<ClientConnection> record(
      ClientId clientId, ConnectionStatus status, ChangeReason reason) {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(reason, "reason");
    if (!cluster) {
      return batcher.submit(new Change(clientId, status, reason));
    }
    // One change per client at a time from this server: its decision (is this a change?) reads
    // the bucket, which the change before must have written.
    String id = clientId.value();
    CompletableFuture<ClientConnection> mine = new CompletableFuture<>();
    CompletableFuture<ClientConnection> before = inFlight.put(id, mine);
    Runnable go =
        () -> {
          CompletionStage<ClientConnection> done;
          try {
            done = recordInCluster(clientId, status, reason);
          } catch (RuntimeException e) {
            done = Stages.failed(e);
          }
          done.whenComplete(
              (entry, failure) -> {
                inFlight.remove(id, mine);
                if (failure != null) {
                  mine.completeExceptionally(Stages.cause(failure));
                } else {
                  mine.complete(entry);
                }
              });
        };
    if (before == null) {
      go.run();
    } else {
      before.whenComplete((entry, failure) -> go.run());
    }
    return mine;
  }

  /** Changes waiting in this server's queue for the batch on its way to answer (one Redis). */
  int queuedWrites() {
    return batcher.queued();
  }

  /** A change waiting in this server's queue (one Redis). */
  private record Change(ClientId clientId, ConnectionStatus status, ChangeReason reason) {}

  /**
   * Writes a batch of changes with one script and answers each. Should the script stop at a
   * change (an error from Redis), the changes before it are answered and the rest fail with the
   * store's error; a batch that does not reach Redis fails as a whole (see {@link WriteBatcher}).
   */
  private CompletionStage<WriteBatcher.Answers<ClientConnection>> sendBatch(List<Change> changes) {
    String[] args = new String[2 + 3 * changes.size()];
    args[0] = floor();
    args[1] = historySize;
    int i = 2;
    for (Change change : changes) {
      args[i++] = change.clientId().value();
      args[i++] = change.status().label();
      args[i++] = change.reason().label();
    }
    return call(() -> batchScript.<List<Object>>run(ScriptOutputType.MULTI, batchKeys, args))
        .thenApply(
            reply -> {
              int done = Math.min(reply.size() - 1, changes.size());
              List<ClientConnection> answered = new ArrayList<>(done);
              long newest = 0;
              for (int c = 0; c < done; c++) {
                Change change = changes.get(c);
                ClientConnection entry = entryOf(change.clientId(), change.status(), (String) reply.get(c + 1));
                newest = Math.max(newest, entry.revision());
                answered.add(entry);
              }
              newestWritten.accumulateAndGet(newest, Math::max);
              if (done == changes.size()) {
                return WriteBatcher.Answers.all(answered);
              }
              Object error = reply.get(0);
              return new WriteBatcher.Answers<>(
                  answered,
                  new RegistryUnavailableException(
                      store + " is unavailable: " + (error == null ? "no answer" : error)));
            });
  }

  /**
   * A change on a cluster, where the log and the client's bucket are in different slots: read
   * the bucket (no change, no revision); append to the log (the change now has its revision, and
   * watchers on every server see it); write the bucket, unless it holds a later change already.
   * Should the last step fail, this server's log reader writes the bucket again until it succeeds,
   * and every other server's reader does it too when it reads the change: so a listing never
   * disagrees for long with what watchers were told.
   */
  private CompletionStage<ClientConnection> recordInCluster(
      ClientId clientId, ConnectionStatus status, ChangeReason reason) {
    String id = clientId.value();
    int bucket = keyspace.bucketOf(id);
    String[] read = {keyspace.statusesKey(bucket), keyspace.revisionsKey(bucket)};
    return call(() -> readScript.<List<Object>>run(ScriptOutputType.MULTI, read, id))
        .thenCompose(
            now -> {
              if (status.label().equals(now.get(0))) {
                return CompletableFuture.completedStage(entryOf(clientId, status, (String) now.get(1)));
              }
              String[] log = {keyspace.revisionKey(), keyspace.changesKey()};
              return call(() -> logScript.<List<Object>>run(ScriptOutputType.MULTI, log,
                      id, status.label(), reason.label(), floor(), historySize, origin))
                  .thenCompose(
                      logged -> {
                        ClientChange change =
                            new ClientChange(
                                Long.parseLong((String) logged.get(0)), clientId, status, reason,
                                Instant.ofEpochMilli(Long.parseLong((String) logged.get(1))));
                        return call(() -> apply(bucket, List.of(change)))
                            .handle(
                                (applied, failure) -> {
                                  written(change.entry());
                                  if (failure == null) {
                                    return CompletableFuture.completedStage(change.entry());
                                  }
                                  ChangeLogReader following = reader;
                                  if (following != null) {
                                    following.repairLater(change);
                                  }
                                  return Stages.<ClientConnection>failed(failure);
                                })
                            .thenCompose(stage -> stage);
                      });
            });
  }

  private CompletionStage<Long> apply(int bucket, List<ClientChange> changes) {
    String[] args = new String[changes.size() * 4];
    int i = 0;
    for (ClientChange change : changes) {
      args[i++] = change.clientId().value();
      args[i++] = change.status().label();
      args[i++] = String.valueOf(change.revision());
      args[i++] = String.valueOf(change.at().toEpochMilli());
    }
    return applyScript.run(ScriptOutputType.INTEGER, keyspace.bucketKeys(bucket), args);
  }

  /** Writes changes into their buckets, guarded by revision; the log reader's repair (cluster). */
  private void repair(List<ClientChange> changes) throws Exception {
    Map<Integer, List<ClientChange>> byBucket = new HashMap<>();
    for (ClientChange change : changes) {
      byBucket.computeIfAbsent(keyspace.bucketOf(change.clientId().value()), b -> new ArrayList<>()).add(change);
    }
    List<CompletableFuture<Long>> sent = new ArrayList<>();
    for (Map.Entry<Integer, List<ClientChange>> bucket : byBucket.entrySet()) {
      List<ClientChange> all = bucket.getValue();
      for (int from = 0; from < all.size(); from += REPAIR_CHUNK) {
        sent.add(apply(bucket.getKey(), all.subList(from, Math.min(all.size(), from + REPAIR_CHUNK)))
            .toCompletableFuture());
      }
    }
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(TIMEOUT_SECONDS * 5L, TimeUnit.SECONDS);
  }

  /**
   * The newest revision this server has read from the log or been given by a write: revisions
   * never go below it, even when Redis lost them.
   */
  private String floor() {
    ChangeLogReader following = reader;
    long read = following == null ? 0 : following.feed().latestRevision();
    return String.valueOf(Math.max(read, newestWritten.get()));
  }

  private ClientConnection written(ClientConnection entry) {
    long revision = entry.revision();
    newestWritten.accumulateAndGet(revision, Math::max);
    return entry;
  }

  /** A client's entry from its stored {@code REVISION:EPOCH_MILLIS}; none for older data. */
  private static ClientConnection entryOf(ClientId clientId, ConnectionStatus status, String stamp) {
    if (stamp == null) {
      return new ClientConnection(clientId, status);
    }
    int colon = stamp.indexOf(':');
    return new ClientConnection(
        clientId, status, Long.parseLong(stamp.substring(0, colon)),
        Instant.ofEpochMilli(Long.parseLong(stamp.substring(colon + 1))));
  }

  @Override
  public CompletionStage<ClientCounts> counts() {
    if (!cluster) {
      String[] keys = {keyspace.countsKey(0), keyspace.revisionKey()};
      return call(() -> countsScript.<List<Object>>run(ScriptOutputType.MULTI, keys))
          .thenApply(
              reply -> new ClientCounts(number(reply.get(0)), number(reply.get(1)), number(reply.get(2))));
    }
    // Each bucket counts its own clients; the sum is current to (at least) the revision read
    // first, since buckets are written after the log.
    return call(() -> commands.get(keyspace.revisionKey()))
        .thenCompose(
            revision -> {
              List<CompletableFuture<List<io.lettuce.core.KeyValue<String, String>>>> reads = new ArrayList<>();
              for (int bucket = 0; bucket < keyspace.buckets(); bucket++) {
                String key = keyspace.countsKey(bucket);
                reads.add(call(() -> commands.hmget(key, CONNECTED, DISCONNECTED)).toCompletableFuture());
              }
              return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
                  .thenApply(
                      all -> {
                        long connected = 0;
                        long disconnected = 0;
                        for (CompletableFuture<List<io.lettuce.core.KeyValue<String, String>>> read : reads) {
                          List<io.lettuce.core.KeyValue<String, String>> values = read.join();
                          connected += number(values.get(0).getValueOrElse(null));
                          disconnected += number(values.get(1).getValueOrElse(null));
                        }
                        return new ClientCounts(connected, disconnected, number(revision));
                      });
            });
  }

  private static long number(Object value) {
    return value == null ? 0 : Math.max(0, Long.parseLong(value.toString()));
  }

  @Override
  public ChangeFeed changes() {
    return reader.feed();
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
    String[] keys = {keyspace.idsKey(bucket), keyspace.statusesKey(bucket), keyspace.revisionsKey(bucket)};
    return call(() -> pageScript.<List<Object>>run(ScriptOutputType.MULTI, keys, from, String.valueOf(limit)))
        .thenApply(RedisConnectionRegistry::toPage);
  }

  private static List<ClientConnection> toPage(List<Object> flat) {
    List<ClientConnection> page = new ArrayList<>(flat.size() / 3);
    for (int i = 0; i + 2 < flat.size(); i += 3) {
      page.add(
          entryOf(
              new ClientId((String) flat.get(i)),
              ConnectionStatus.fromLabel((String) flat.get(i + 1)),
              (String) flat.get(i + 2)));
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
    batcher.close();
    try {
      ChangeLogReader following = reader;
      if (following != null) {
        following.close();
      }
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



  private static RedisCodec<String, String> codec() {
    return OrderPreservingCodec.INSTANCE;
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

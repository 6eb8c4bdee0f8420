package org.connectionregistry.adapter.store.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.connectionregistry.application.port.out.SessionLedger;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.RegistryUnavailableException;
import org.connectionregistry.domain.Stages;

/**
 * The session ledger of servers that share one Redis (or Redis Cluster): each server keeps an
 * account of the client IDs its sessions hold, proves it is alive with a heartbeat, and the
 * survivors of a server that dies expire what it held. Redis keyspace notifications play no part:
 * they are sent once, to whoever listens at that moment, and only when a key is removed; a
 * heartbeat that is looked for is found missing whoever was listening.
 *
 * <p><b>Keys.</b> Every key of one server carries the server's ID as its hash tag, so each script
 * below touches one slot and is legal on a cluster:
 *
 * <ul>
 *   <li>{@code connreg:sessions:servers}, a set of the IDs of servers that keep accounts;
 *   <li>{@code connreg:sessions:{ID}:alive}, the heartbeat, renewed every {@code heartbeat}
 *       and expiring {@code ttl} after the last renewal;
 *   <li>{@code connreg:sessions:{ID}:held}, a set: the client IDs the server's sessions hold;
 *   <li>{@code connreg:sessions:{ID}:claim}, while a survivor expires the account: whose claim it
 *       is, expiring after {@code lease} if that survivor dies too.
 * </ul>
 *
 * <p><b>Claims.</b> A survivor claims a server's account with one script that checks, in the
 * same atomic step, that the heartbeat is gone and that no one else holds a claim: of several
 * survivors looking at once exactly one is handed the IDs. The account is deleted only once
 * they are all written; a survivor that dies on the way leaves its claim to lapse.
 *
 * <p><b>Outages.</b> While Redis cannot be reached no heartbeat is renewed, by anyone. So that
 * servers do not take each other for dead when it comes back, a server claims nothing until its
 * own heartbeat has been renewed without a failure for a whole {@code ttl}: by then every live
 * server has renewed its own. A server that finds its own heartbeat lapsed (a pause longer than
 * the ttl, or Redis lost its keys) may have been taken for dead, and its IDs expired: it tells
 * {@link #onLapse} listeners, which note and record them again; an account whose server came
 * back while a survivor expired it is left to its server.
 *
 * <p>A server's ID is new at every start. A restarted server's predecessor is just another dead
 * server, whose account the new one (or any other survivor) expires.
 */
public final class RedisSessionLedger implements SessionLedger {

  static final String SERVERS_KEY = "connreg:sessions:servers";
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(2);
  /** Client IDs asked about in one script: well within Lua's stack for {@code unpack}. */
  private static final int BATCH = 1_000;

  /** KEYS: alive. ARGV: this server's ID, ttl ms. Returns 1 if the heartbeat was still there. */
  private static final String HEARTBEAT_SCRIPT =
      "local existed = redis.call('EXISTS', KEYS[1])\n"
          + "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])\n"
          + "return existed";

  /**
   * KEYS: alive, held, claim. ARGV: claimant, lease ms. Returns {0} if the server is alive or
   * claimed by someone else; else claims it and returns {1, client IDs...}.
   */
  private static final String CLAIM_SCRIPT =
      "if redis.call('EXISTS', KEYS[1]) == 1 then return {0} end\n"
          + "if not redis.call('SET', KEYS[3], ARGV[1], 'NX', 'PX', ARGV[2]) then return {0} end\n"
          + "local claimed = redis.call('SMEMBERS', KEYS[2])\n"
          + "table.insert(claimed, 1, 1)\n"
          + "return claimed";

  /**
   * KEYS: alive, held, claim. ARGV: claimant. Deletes the account if the claim is still the
   * caller's and the server has not come back meanwhile (then its account is its own again).
   * Returns 1 if the server is gone for good.
   */
  private static final String DROP_SCRIPT =
      "if redis.call('GET', KEYS[3]) ~= ARGV[1] then return 0 end\n"
          + "redis.call('DEL', KEYS[3])\n"
          + "if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end\n"
          + "redis.call('DEL', KEYS[2])\n"
          + "return 1";

  /** KEYS: alive, held. ARGV: client IDs. Which of them a live server holds (1/0 each). */
  private static final String HELD_SCRIPT =
      "if redis.call('EXISTS', KEYS[1]) == 0 then return {} end\n"
          + "return redis.call('SMISMEMBER', KEYS[2], unpack(ARGV))";

  /** How often a server renews its heartbeat, how long it lasts, how long a claim lasts. */
  public record Timing(Duration heartbeat, Duration ttl, Duration lease) {
    public Timing {
      Objects.requireNonNull(heartbeat, "heartbeat");
      Objects.requireNonNull(ttl, "ttl");
      Objects.requireNonNull(lease, "lease");
      if (heartbeat.isNegative() || heartbeat.isZero() || ttl.compareTo(heartbeat.multipliedBy(2)) < 0) {
        throw new IllegalArgumentException(
            "the heartbeat's ttl must be at least two heartbeats, got " + heartbeat + " and " + ttl);
      }
    }
  }

  private final String store;
  private final String server;
  private final Timing timing;
  private final ClientResources resources;
  private final AbstractRedisClient client;
  private final StatefulConnection<String, String> connection;
  private final RedisClusterAsyncCommands<String, String> commands;
  private final ScheduledExecutorService heartbeats;
  /** When the heartbeat last failed (or this server started); nanoTime. */
  private volatile long unsureSince = System.nanoTime();
  private volatile boolean closed;
  private final List<Runnable> lapseActions = new java.util.concurrent.CopyOnWriteArrayList<>();

  private RedisSessionLedger(
      String store,
      Timing timing,
      ClientResources resources,
      AbstractRedisClient client,
      StatefulConnection<String, String> connection,
      RedisClusterAsyncCommands<String, String> commands) {
    this.store = store;
    this.server = UUID.randomUUID().toString();
    this.timing = timing;
    this.resources = resources;
    this.client = client;
    this.connection = connection;
    this.commands = commands;
    this.heartbeats =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "session-heartbeat");
              thread.setDaemon(true);
              return thread;
            });
  }

  /**
   * Opens this server's account in the Redis at {@code uri} ({@code redis://HOST:PORT[/DB]}) and
   * starts its heartbeat.
   *
   * @throws RegistryUnavailableException if Redis cannot be reached
   */
  public static RedisSessionLedger connect(String uri, Timing timing) {
    RedisURI redisUri = RedisURI.create(uri);
    redisUri.setTimeout(COMMAND_TIMEOUT);
    String store = "Redis at " + redisUri.getHost() + ":" + redisUri.getPort();
    ClientResources resources = RedisClients.resources();
    RedisClient client = RedisClient.create(resources);
    client.setOptions(
        RedisClients.standalone(COMMAND_TIMEOUT));
    try {
      StatefulRedisConnection<String, String> connection = client.connect(redisUri);
      return new RedisSessionLedger(store, timing, resources, client, connection, connection.async())
          .started();
    } catch (RedisException e) {
      shutDown(client, resources);
      throw new RegistryUnavailableException(store + " is unavailable: " + rootMessage(e), e);
    }
  }

  /**
   * The same on the Redis Cluster that the nodes of {@code uri} belong to ({@code
   * redis-cluster://HOST:PORT[,HOST:PORT...]}).
   */
  public static RedisSessionLedger connectCluster(String uri, Timing timing) {
    String list = uri.substring("redis-cluster://".length());
    List<RedisURI> nodes = new ArrayList<>();
    for (String node : list.split(",")) {
      int colon = node.lastIndexOf(':');
      RedisURI nodeUri = RedisURI.create(node.substring(0, colon), Integer.parseInt(node.substring(colon + 1)));
      nodeUri.setTimeout(COMMAND_TIMEOUT);
      nodes.add(nodeUri);
    }
    String store = "Redis Cluster at " + list;
    ClientResources resources = RedisClients.resources();
    RedisClusterClient client = RedisClusterClient.create(resources, nodes);
    client.setOptions(
        RedisClients.cluster(COMMAND_TIMEOUT));
    try {
      StatefulRedisClusterConnection<String, String> connection = client.connect();
      return new RedisSessionLedger(store, timing, resources, client, connection, connection.async())
          .started();
    } catch (RedisException e) {
      shutDown(client, resources);
      throw new RegistryUnavailableException(store + " is unavailable: " + rootMessage(e), e);
    }
  }

  /** The first heartbeat is written before anything is held; then one every {@code heartbeat}. */
  private RedisSessionLedger started() {
    try {
      beat().toCompletableFuture().get(COMMAND_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      close();
      throw new RegistryUnavailableException(store + " is unavailable: " + rootMessage(e), e);
    }
    unsureSince = System.nanoTime();
    long period = timing.heartbeat().toMillis();
    heartbeats.scheduleAtFixedRate(this::beatQuietly, period, period, TimeUnit.MILLISECONDS);
    return this;
  }

  private void beatQuietly() {
    try {
      beat()
          .whenComplete(
              (alive, failure) -> {
                // A missed renewal, or a heartbeat that had lapsed: others may have counted this
                // server dead, and it may be as wrong about them; wait a ttl before judging.
                if (failure != null || !alive) {
                  unsureSince = System.nanoTime();
                }
                if (failure == null && !alive) {
                  lapsed();
                }
              });
    } catch (RuntimeException e) {
      unsureSince = System.nanoTime();
    }
  }

  private void lapsed() {
    for (Runnable action : lapseActions) {
      try {
        action.run();
      } catch (RuntimeException e) {
        // one action's failure must not stop the heartbeat
      }
    }
  }

  @Override
  public void onLapse(Runnable action) {
    lapseActions.add(Objects.requireNonNull(action, "action"));
  }

  /** Renews the heartbeat and the entry in the list of servers; true if it had not lapsed. */
  private CompletionStage<Boolean> beat() {
    CompletionStage<Long> renewed =
        call(
            () ->
                commands.<Long>eval(
                    HEARTBEAT_SCRIPT,
                    ScriptOutputType.INTEGER,
                    new String[] {aliveKey(server)},
                    server,
                    String.valueOf(timing.ttl().toMillis())));
    return renewed.thenCombine(call(() -> commands.sadd(SERVERS_KEY, server)), (existed, added) -> existed == 1L);
  }

  /** This server's ID, new at every start. */
  public String server() {
    return server;
  }

  @Override
  public CompletionStage<Void> hold(ClientId clientId) {
    return call(() -> commands.sadd(heldKey(server), clientId.value())).thenApply(added -> null);
  }

  @Override
  public CompletionStage<Void> release(ClientId clientId) {
    return call(() -> commands.srem(heldKey(server), clientId.value())).thenApply(removed -> null);
  }

  /** Nothing: a predecessor's account is found among the dead servers' ({@link #claimOrphans}). */
  @Override
  public Set<ClientId> held() {
    return Set.of();
  }

  @Override
  public CompletionStage<Set<ClientId>> heldElsewhere(Collection<ClientId> ids) {
    if (ids.isEmpty()) {
      return CompletableFuture.completedFuture(Set.of());
    }
    List<ClientId> asked = List.copyOf(ids);
    return call(() -> commands.smembers(SERVERS_KEY))
        .thenCompose(
            servers -> {
              Set<ClientId> held = java.util.concurrent.ConcurrentHashMap.newKeySet();
              List<CompletableFuture<Void>> asks = new ArrayList<>();
              for (String other : servers) {
                if (other.equals(server)) {
                  continue;
                }
                for (int from = 0; from < asked.size(); from += BATCH) {
                  List<ClientId> batch = asked.subList(from, Math.min(asked.size(), from + BATCH));
                  asks.add(heldBy(other, batch).thenAccept(held::addAll).toCompletableFuture());
                }
              }
              return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
                  .thenApply(all -> Set.copyOf(held));
            });
  }

  /** Of {@code batch}, those that {@code other}'s sessions hold, if its heartbeat is there. */
  private CompletionStage<List<ClientId>> heldBy(String other, List<ClientId> batch) {
    String[] args = batch.stream().map(ClientId::value).toArray(String[]::new);
    return call(
            () ->
                commands.<List<Long>>eval(
                    HELD_SCRIPT, ScriptOutputType.MULTI, new String[] {aliveKey(other), heldKey(other)}, args))
        .thenApply(
            flags -> {
              List<ClientId> held = new ArrayList<>();
              for (int i = 0; i < flags.size(); i++) {
                if (Long.valueOf(1).equals(flags.get(i))) {
                  held.add(batch.get(i));
                }
              }
              return held;
            });
  }

  @Override
  public CompletionStage<List<Orphans>> claimOrphans() {
    if (System.nanoTime() - unsureSince < timing.ttl().toNanos()) {
      return CompletableFuture.completedFuture(List.of());
    }
    return call(() -> commands.smembers(SERVERS_KEY))
        .thenCompose(
            servers -> {
              List<CompletableFuture<Orphans>> claims = new ArrayList<>();
              for (String other : servers) {
                if (!other.equals(server)) {
                  claims.add(claim(other).toCompletableFuture());
                }
              }
              return CompletableFuture.allOf(claims.toArray(CompletableFuture[]::new))
                  .thenApply(
                      all -> {
                        List<Orphans> claimed = new ArrayList<>();
                        for (CompletableFuture<Orphans> each : claims) {
                          Orphans orphans = each.join();
                          if (orphans != null) {
                            claimed.add(orphans);
                          }
                        }
                        return claimed;
                      });
            });
  }

  /** The dead server's account, claimed for this server; null if it is alive or claimed. */
  private CompletionStage<Orphans> claim(String dead) {
    return call(
            () ->
                commands.<List<Object>>eval(
                    CLAIM_SCRIPT,
                    ScriptOutputType.MULTI,
                    new String[] {aliveKey(dead), heldKey(dead), claimKey(dead)},
                    server,
                    String.valueOf(timing.lease().toMillis())))
        .thenApply(
            reply -> {
              if (reply.isEmpty() || !Long.valueOf(1).equals(reply.get(0))) {
                return null;
              }
              Set<ClientId> ids = new LinkedHashSet<>();
              for (Object id : reply.subList(1, reply.size())) {
                ids.add(new ClientId((String) id));
              }
              return new Claimed(dead, Set.copyOf(ids));
            });
  }

  private final class Claimed implements Orphans {
    private final String dead;
    private final Set<ClientId> ids;

    Claimed(String dead, Set<ClientId> ids) {
      this.dead = dead;
      this.ids = ids;
    }

    @Override
    public String server() {
      return dead;
    }

    @Override
    public Set<ClientId> ids() {
      return ids;
    }

    @Override
    public CompletionStage<Void> close() {
      return call(
              () ->
                  commands.<Long>eval(
                      DROP_SCRIPT,
                      ScriptOutputType.INTEGER,
                      new String[] {aliveKey(dead), heldKey(dead), claimKey(dead)},
                      server))
          .thenCompose(
              gone ->
                  gone == 1L
                      ? call(() -> commands.srem(SERVERS_KEY, dead)).thenApply(removed -> (Void) null)
                      : CompletableFuture.<Void>completedFuture(null));
    }

    @Override
    public String toString() {
      return "sessions of dead server " + dead + ": " + ids.size() + " client IDs";
    }
  }

  /** The IDs of the servers in the list, alive or not; for tests and operators. */
  public CompletionStage<Set<String>> servers() {
    return call(() -> commands.smembers(SERVERS_KEY)).thenApply(HashSet::new);
  }

  /**
   * Stops the heartbeat and lets go of Redis. The account stays: its IDs are expired by the
   * survivors once the heartbeat has lapsed, as if this server had died, which leaves its
   * clients the heartbeat's ttl to open sessions elsewhere.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    heartbeats.shutdownNow();
    try {
      connection.close();
    } finally {
      shutDown(client, resources);
    }
  }

  @Override
  public String toString() {
    return "Session ledger of server " + server + " in " + store;
  }

  static String aliveKey(String server) {
    return "connreg:sessions:{" + server + "}:alive";
  }

  static String heldKey(String server) {
    return "connreg:sessions:{" + server + "}:held";
  }

  static String claimKey(String server) {
    return "connreg:sessions:{" + server + "}:claim";
  }

  private <T> CompletionStage<T> call(Supplier<CompletionStage<T>> command) {
    if (closed) {
      return CompletableFuture.failedFuture(new RegistryUnavailableException(this + " is closed"));
    }
    CompletionStage<T> sent;
    try {
      sent = command.get();
    } catch (RedisException e) {
      return CompletableFuture.failedFuture(unavailable(e));
    }
    return sent.exceptionallyCompose(failure -> CompletableFuture.failedFuture(unavailable(Stages.cause(failure))));
  }

  private RegistryUnavailableException unavailable(Throwable failure) {
    if (failure instanceof RegistryUnavailableException unavailable) {
      return unavailable;
    }
    return new RegistryUnavailableException(store + " is unavailable: " + rootMessage(failure), failure);
  }

  /** The innermost message, which names the actual problem (refused, timed out...), on one line. */
  private static String rootMessage(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage() != null ? root.getMessage() : failure.getMessage();
    return message == null ? root.getClass().getSimpleName() : message.strip().replaceAll("\\s+", " ");
  }



  private static void shutDown(AbstractRedisClient client, ClientResources resources) {
    try {
      client.shutdown(Duration.ZERO, COMMAND_TIMEOUT);
    } finally {
      resources.shutdown(0, COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }
  }
}

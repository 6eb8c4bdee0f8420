package org.connectionregistry.adapter.store.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * How this module's Lettuce clients behave, in one place for the registry and the session ledger:
 * reconnect by themselves, refuse commands at once while disconnected (so calls fail fast instead
 * of queueing), and give every command and connection attempt the same timeout.
 */
final class RedisClients {

  private RedisClients() {}

  /** Back off between reconnects, but never longer than a second, so recovery follows Redis's return. */
  static ClientResources resources() {
    return ClientResources.builder()
        .reconnectDelay(
            Delay.exponential(Duration.ofMillis(20), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
        .build();
  }

  /** Options for a client of one Redis. */
  static ClientOptions standalone(Duration timeout) {
    return ClientOptions.builder()
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .timeoutOptions(TimeoutOptions.enabled(timeout))
        .socketOptions(socketOptions(timeout))
        .build();
  }

  /** Options for a client of a Redis Cluster. */
  static ClusterClientOptions cluster(Duration timeout) {
    return ClusterClientOptions.builder()
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .timeoutOptions(TimeoutOptions.enabled(timeout))
        .socketOptions(socketOptions(timeout))
        // A failover moves slots to a replica: learn it from redirections and failed reconnects
        // at once, and look again every second in case nothing triggered.
        .topologyRefreshOptions(
            ClusterTopologyRefreshOptions.builder()
                .enableAllAdaptiveRefreshTriggers()
                .adaptiveRefreshTriggersTimeout(Duration.ofMillis(500))
                .refreshTriggersReconnectAttempts(1)
                .enablePeriodicRefresh(Duration.ofSeconds(1))
                .build())
        .build();
  }

  private static SocketOptions socketOptions(Duration timeout) {
    return SocketOptions.builder().connectTimeout(timeout).keepAlive(true).build();
  }
}

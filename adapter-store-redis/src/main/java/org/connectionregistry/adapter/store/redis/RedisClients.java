package org.connectionregistry.adapter.store.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import io.netty.handler.flush.FlushConsolidationHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * How this module's Lettuce clients behave, in one place for the registry and the session ledger:
 * reconnect by themselves, refuse commands at once while disconnected (so calls fail fast instead
 * of queueing), and give every command and connection attempt the same timeout.
 */
final class RedisClients {

  private RedisClients() {}

  /**
   * Back off between reconnects, but never longer than a second, so recovery follows Redis's
   * return. Every connection gathers the commands written while its I/O thread is busy into one
   * write: each call's command is written from a thread of its own (gRPC's), so without this each
   * would cost a {@code write} system call of its own; with it, the commands queued behind one
   * another go out together when the I/O thread gets to them (no command waits for others to come).
   */
  static ClientResources resources() {
    return ClientResources.builder()
        .reconnectDelay(
            Delay.exponential(Duration.ofMillis(20), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
        .nettyCustomizer(
            new NettyCustomizer() {
              @Override
              public void afterChannelInitialized(Channel channel) {
                channel.pipeline().addFirst(new FlushConsolidationHandler(
                    FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
              }
            })
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

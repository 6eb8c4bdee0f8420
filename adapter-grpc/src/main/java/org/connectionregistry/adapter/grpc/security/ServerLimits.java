package org.connectionregistry.adapter.grpc.security;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * What one server allows its callers, so that no caller and no crowd of callers can take it
 * down: open connections, calls at once on a connection, the size of a request and of its
 * headers, how long a connection may sit idle or live, how long a new connection may take to
 * say it speaks HTTP/2, and calls a second per caller.
 *
 * @param maxConnections open TCP connections at once; 0 for no limit
 * @param maxCallsPerConnection calls at once on one connection (HTTP/2 streams)
 * @param maxRequestBytes largest request message
 * @param maxHeaderBytes largest request headers (a bearer token travels in them)
 * @param maxConnectionIdle a connection without calls for this long is closed
 * @param maxConnectionAge a connection this old is asked to go away (clients reconnect)
 * @param maxConnectionAgeGrace calls still running on an old connection get this long
 * @param handshakeTimeout a new connection must complete TLS and the HTTP/2 preface in this time
 * @param callsPerSecondPerCaller calls a second one caller may make; 0 for no limit
 * @param burstPerCaller calls one caller may make at once above that rate
 */
public record ServerLimits(
    int maxConnections,
    int maxCallsPerConnection,
    int maxRequestBytes,
    int maxHeaderBytes,
    Duration maxConnectionIdle,
    Duration maxConnectionAge,
    Duration maxConnectionAgeGrace,
    Duration handshakeTimeout,
    int callsPerSecondPerCaller,
    int burstPerCaller) {

  public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
  public static final int DEFAULT_MAX_CALLS_PER_CONNECTION = 1_000;
  public static final int DEFAULT_MAX_REQUEST_BYTES = 64 * 1024;
  public static final int DEFAULT_MAX_HEADER_BYTES = 16 * 1024;
  public static final Duration DEFAULT_MAX_CONNECTION_IDLE = Duration.ofMinutes(5);
  public static final Duration DEFAULT_MAX_CONNECTION_AGE = Duration.ofHours(1);
  public static final Duration DEFAULT_MAX_CONNECTION_AGE_GRACE = Duration.ofMinutes(1);
  public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

  public ServerLimits {
    requireAtLeast(maxConnections, 0, "maxConnections");
    requireAtLeast(maxCallsPerConnection, 1, "maxCallsPerConnection");
    requireAtLeast(maxRequestBytes, 1, "maxRequestBytes");
    requireAtLeast(maxHeaderBytes, 1024, "maxHeaderBytes");
    requirePositive(maxConnectionIdle, "maxConnectionIdle");
    requirePositive(maxConnectionAge, "maxConnectionAge");
    requirePositive(maxConnectionAgeGrace, "maxConnectionAgeGrace");
    requirePositive(handshakeTimeout, "handshakeTimeout");
    requireAtLeast(callsPerSecondPerCaller, 0, "callsPerSecondPerCaller");
    requireAtLeast(burstPerCaller, 0, "burstPerCaller");
  }

  /** The defaults: generous for any honest client, and bounded. */
  public static ServerLimits defaults() {
    return new ServerLimits(
        DEFAULT_MAX_CONNECTIONS,
        DEFAULT_MAX_CALLS_PER_CONNECTION,
        DEFAULT_MAX_REQUEST_BYTES,
        DEFAULT_MAX_HEADER_BYTES,
        DEFAULT_MAX_CONNECTION_IDLE,
        DEFAULT_MAX_CONNECTION_AGE,
        DEFAULT_MAX_CONNECTION_AGE_GRACE,
        DEFAULT_HANDSHAKE_TIMEOUT,
        0,
        0);
  }

  /** Sets the limits that Netty enforces per connection on the builder. */
  public NettyServerBuilder applyTo(NettyServerBuilder builder) {
    return builder
        .maxConcurrentCallsPerConnection(maxCallsPerConnection)
        .maxInboundMessageSize(maxRequestBytes)
        .maxInboundMetadataSize(maxHeaderBytes)
        .maxConnectionIdle(maxConnectionIdle.toNanos(), TimeUnit.NANOSECONDS)
        .maxConnectionAge(maxConnectionAge.toNanos(), TimeUnit.NANOSECONDS)
        .maxConnectionAgeGrace(maxConnectionAgeGrace.toNanos(), TimeUnit.NANOSECONDS)
        .handshakeTimeout(handshakeTimeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  private static void requireAtLeast(int value, int least, String name) {
    if (value < least) {
      throw new IllegalArgumentException(name + " must be at least " + least + ", got " + value);
    }
  }

  private static void requirePositive(Duration value, String name) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be longer than zero, got " + value);
    }
  }
}

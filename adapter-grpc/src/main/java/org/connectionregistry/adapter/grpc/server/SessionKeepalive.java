package org.connectionregistry.adapter.grpc.server;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP/2 keepalive for live sessions: the server pings each connection that has been quiet for
 * {@code interval}, and closes it (cancelling its sessions) when the ping is not answered within
 * {@code timeout}. One ping per connection, however many sessions it carries, which is what makes
 * a hundred thousand sessions cheap; and a peer that went silent (packets lost, no FIN) is found,
 * which TCP alone would take minutes to notice.
 *
 * <p>grpc-java's builder raises any keepalive time below 10 s to 10 s, a floor meant to protect
 * servers from clients that ping too often, not a limit of the server's own pinger (whose handler
 * takes the value as given). Since 10 s alone would break the 5 s promise, a shorter interval is
 * set on the builder's field after the builder has checked it. Should a later grpc-java rename
 * that field, the server warns and pings every 10 s; {@code SessionsOverNettyTest} would fail.
 */
public final class SessionKeepalive {

  private static final Logger log = LoggerFactory.getLogger(SessionKeepalive.class);

  /** How often a client may ping us: our own client pings every 10 s, gRPC's shortest. */
  public static final Duration PERMITTED_CLIENT_PING_INTERVAL = Duration.ofSeconds(5);

  private SessionKeepalive() {}

  /** Applies the keepalive to {@code builder} and returns the interval actually in force. */
  public static Duration apply(NettyServerBuilder builder, Duration interval, Duration timeout) {
    builder
        .keepAliveTime(interval.toNanos(), TimeUnit.NANOSECONDS)
        .keepAliveTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
        .permitKeepAliveTime(PERMITTED_CLIENT_PING_INTERVAL.toNanos(), TimeUnit.NANOSECONDS)
        .permitKeepAliveWithoutCalls(true);
    try {
      Field field = NettyServerBuilder.class.getDeclaredField("keepAliveTimeInNanos");
      field.setAccessible(true);
      if (field.getLong(builder) > interval.toNanos()) {
        field.setLong(builder, interval.toNanos());
      }
      return Duration.ofNanos(field.getLong(builder));
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.warn(
          "Cannot ping connections every {} ms ({}); pinging every 10 s instead, so silent "
              + "clients are found later than promised.",
          interval.toMillis(),
          e.toString());
      return Duration.ofSeconds(10);
    }
  }
}

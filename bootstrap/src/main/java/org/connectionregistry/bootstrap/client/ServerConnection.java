package org.connectionregistry.bootstrap.client;

import io.grpc.CallCredentials;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.adapter.grpc.MessageLimits;

/**
 * The console client's connection to its server: one gRPC channel on an event loop of its own,
 * that connects at once, tries again whenever the user asks, and is closed as a whole when the
 * client exits.
 *
 * <ul>
 *   <li>It connects when the client starts, so the first answer does not wait for the connection
 *       while the user was typing.
 *   <li>After a failed attempt, gRPC waits before the next one, longer each time (up to two
 *       minutes), and fails calls meanwhile. A user who asks again after starting the server
 *       expects an answer, so a call made while disconnected starts a new attempt at once and
 *       waits for it.
 *   <li>gRPC's shared event loop outlives the channel, and its thread waits in native code for
 *       network events; at exit the JVM waits up to 300 ms for such threads, which made every run
 *       of the client a third of a second longer. Its own loop, stopped on {@link #close()},
 *       leaves nothing to wait for. One thread is plenty for one connection.
 * </ul>
 */
public final class ServerConnection implements AutoCloseable {

  /** The name of the event loop's thread. */
  static final String EVENT_LOOP_THREAD = "connection-client-io";

  private static final long CLOSE_TIMEOUT_SECONDS = 2;

  private final EventLoopGroup eventLoop;
  private final ManagedChannel managed;
  private final Channel channel;

  ServerConnection(String target) {
    this(target, ClientSecurityOptions.ClientSecurity.none());
  }

  /** A connection with TLS and a bearer token as {@code security} says. */
  ServerConnection(String target, ClientSecurityOptions.ClientSecurity security) {
    this(target, security, false);
  }

  /**
   * For a live session: the client also pings the server when the connection is quiet (every
   * 10 s, gRPC's shortest), so a server gone silent is noticed and the session reopened.
   */
  static ServerConnection forSessions(String target, ClientSecurityOptions.ClientSecurity security) {
    return new ServerConnection(target, security, true);
  }

  private ServerConnection(
      String target, ClientSecurityOptions.ClientSecurity security, boolean keepalive) {
    // Linux's epoll where Netty's native transport loads, as gRPC itself would choose; else NIO.
    boolean epoll = Epoll.isAvailable();
    this.eventLoop =
        new MultiThreadIoEventLoopGroup(
            1,
            new DefaultThreadFactory(EVENT_LOOP_THREAD, true),
            epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    NettyChannelBuilder builder =
        NettyChannelBuilder.forTarget(target, security.channel())
            .eventLoopGroup(eventLoop)
            .channelType(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
            .maxInboundMessageSize(MessageLimits.LEGACY_LISTING_INBOUND_BYTES);
    if (keepalive) {
      builder.keepAliveTime(10, TimeUnit.SECONDS).keepAliveTimeout(5, TimeUnit.SECONDS);
    }
    this.managed = builder.build();
    Channel reconnecting = ClientInterceptors.intercept(managed, new ReconnectWhenAsked());
    this.channel =
        security.token() == null
            ? reconnecting
            : ClientInterceptors.intercept(reconnecting, new SendingToken(security.token()));
    managed.getState(true);
  }

  /** Where the calls go. */
  public Channel channel() {
    return channel;
  }

  /** Cancels what is still in flight, closes the connection and stops the event loop. */
  @Override
  public void close() throws InterruptedException {
    managed.shutdownNow().awaitTermination(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    eventLoop
        .shutdownGracefully(0, CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS)
        .await(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  /** Sends the bearer token with every call. */
  private static final class SendingToken implements ClientInterceptor {
    private final CallCredentials token;

    SendingToken(CallCredentials token) {
      this.token = token;
    }

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(
        MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
      return next.newCall(method, options.withCallCredentials(token));
    }
  }

  /**
   * Makes a call that finds the server unreachable start a new connection attempt at once, and
   * wait for its outcome, as the first call did. Skipping the wait before the next attempt
   * ({@code resetConnectBackoff}) would not do: the channel goes on failing calls until an attempt
   * succeeds, so the call would still fail. Going idle ends the failed state, and the call starts
   * over from a fresh one.
   */
  private final class ReconnectWhenAsked implements ClientInterceptor {
    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(
        MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
      if (managed.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
        managed.enterIdle();
      }
      return next.newCall(method, options);
    }
  }
}

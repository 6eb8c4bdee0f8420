package org.connectionregistry.adapter.grpc.security;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler.Sharable;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.ServerChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.LoggerFactory;

/**
 * At most so many TCP connections open at once. A connection over the limit is closed as soon as
 * it is accepted, before it costs any HTTP/2 or TLS state; connections that never send a byte
 * count too, so they cannot crowd out the limit unseen (the handshake timeout closes those).
 *
 * <p>gRPC has no such option, so this gives Netty a listening channel that counts what it
 * accepts. Netty then needs its event loops from us: epoll where the platform has it, as gRPC
 * would choose, NIO elsewhere. {@link #close} releases them once the server has stopped.
 */
public final class ConnectionLimit implements AutoCloseable {

  private static final RateLimitedLog log =
      new RateLimitedLog(LoggerFactory.getLogger(ConnectionLimit.class), 5, 1);

  private final int max;
  private final AtomicInteger open = new AtomicInteger();
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final boolean epoll = Epoll.isAvailable();

  private ConnectionLimit(int max) {
    this.max = max;
    DefaultThreadFactory bossThreads = new DefaultThreadFactory("grpc-accept", true);
    DefaultThreadFactory workerThreads = new DefaultThreadFactory("grpc-worker", true);
    this.boss = epoll ? new EpollEventLoopGroup(1, bossThreads) : new NioEventLoopGroup(1, bossThreads);
    this.workers =
        epoll ? new EpollEventLoopGroup(0, workerThreads) : new NioEventLoopGroup(0, workerThreads);
  }

  /** Limits the builder's server to {@code max} connections at once. */
  public static ConnectionLimit applyTo(NettyServerBuilder builder, int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be positive, got " + max);
    }
    ConnectionLimit limit = new ConnectionLimit(max);
    builder
        .bossEventLoopGroup(limit.boss)
        .workerEventLoopGroup(limit.workers)
        .channelFactory(limit::newServerChannel);
    return limit;
  }

  /** Connections open now. */
  public int open() {
    return open.get();
  }

  private ServerChannel newServerChannel() {
    ServerChannel channel = epoll ? new EpollServerSocketChannel() : new NioServerSocketChannel();
    // Added before Netty's acceptor, which ServerBootstrap appends once the channel registers.
    channel.pipeline().addLast(new Counter());
    return channel;
  }

  @Sharable
  private final class Counter extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext context, Object accepted) {
      Channel connection = (Channel) accepted;
      if (open.incrementAndGet() > max) {
        open.decrementAndGet();
        connection.unsafe().closeForcibly();
        log.warn(
            "Refused a connection from {}: {} connections are open, the most allowed",
            connection.remoteAddress(),
            max);
        return;
      }
      connection.closeFuture().addListener(closed -> open.decrementAndGet());
      context.fireChannelRead(connection);
    }
  }

  @Override
  public void close() {
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }
}

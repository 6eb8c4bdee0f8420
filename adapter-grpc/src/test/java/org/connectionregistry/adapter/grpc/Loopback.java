package org.connectionregistry.adapter.grpc;

import io.grpc.ManagedChannel;
import io.grpc.ServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;

/** Real Netty servers and channels on 127.0.0.1, on ports the OS picks. */
public final class Loopback {

  public static final String HOST = "127.0.0.1";

  private Loopback() {}

  public static ServerBuilder<?> serverBuilder() {
    return NettyServerBuilder.forAddress(new InetSocketAddress(HOST, 0));
  }

  public static ManagedChannel channelTo(int port) {
    return NettyChannelBuilder.forAddress(HOST, port).usePlaintext().build();
  }

  public static String target(int port) {
    return HOST + ":" + port;
  }

  /** A port nothing listens on: the OS gave it to us a moment ago, and we let it go. */
  public static int closedPort() {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void close(ManagedChannel channel) throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}

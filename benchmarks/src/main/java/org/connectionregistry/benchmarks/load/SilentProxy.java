package org.connectionregistry.benchmarks.load;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP proxy that can go silent: after {@link #freeze()} it forwards nothing more in
 * either direction and closes nothing, as a network that loses every packet (no FIN, no RST).
 */
final class SilentProxy implements AutoCloseable {

  private final ServerSocket listener;
  private final int upstreamPort;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile boolean frozen;

  SilentProxy(int upstreamPort) throws IOException {
    this.upstreamPort = upstreamPort;
    this.listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    Thread acceptor = new Thread(this::accept, "silent-proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return listener.getLocalPort();
  }

  void freeze() {
    frozen = true;
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket downstream = listener.accept();
        Socket upstream = new Socket();
        upstream.connect(new InetSocketAddress("127.0.0.1", upstreamPort));
        sockets.add(downstream);
        sockets.add(upstream);
        pump(downstream, upstream);
        pump(upstream, downstream);
      } catch (IOException e) {
        return;
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread thread =
        new Thread(
            () -> {
              byte[] buffer = new byte[16384];
              try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                  if (frozen) {
                    continue; // swallowed: read and dropped, never answered, never closed
                  }
                  out.write(buffer, 0, n);
                  out.flush();
                }
              } catch (IOException e) {
                // closed
              }
            },
            "silent-proxy-pump");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void close() throws IOException {
    listener.close();
    for (Socket socket : sockets) {
      socket.close();
    }
  }
}

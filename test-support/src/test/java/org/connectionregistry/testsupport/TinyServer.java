package org.connectionregistry.testsupport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * A stand-in server for {@link ServerProcessTest}: {@code TinyServer <port>} listens on it and
 * prints {@code listening on <port>}; on SIGTERM it prints {@code stopping} and exits. {@code
 * TinyServer fail} prints {@code cannot start} and exits with 3.
 */
public final class TinyServer {

  private TinyServer() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    if (args[0].equals("fail")) {
      System.out.println("cannot start");
      System.exit(3);
    }
    int port = Integer.parseInt(args[0]);
    try (ServerSocket socket = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("stopping")));
      System.out.println("listening on " + port);
      System.out.flush();
      Thread.sleep(Long.MAX_VALUE);
    }
  }
}

package org.connectionregistry.bootstrap.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} on a loopback port, in its own temporary directory, for the tests
 * of servers that share one Redis. Fails loudly when the binary is missing: these tests are not
 * skipped (CI installs Debian's redis-server package).
 */
final class RedisServerProcess implements AutoCloseable {

  private final int port;
  private final Path directory;
  private Process process;

  private RedisServerProcess(int port, Path directory) {
    this.port = port;
    this.directory = directory;
  }

  static RedisServerProcess start() throws IOException, InterruptedException {
    RedisServerProcess redis =
        new RedisServerProcess(Processes.freePort(), Files.createTempDirectory("redis-e2e"));
    redis.restart();
    return redis;
  }

  String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** Starts it again on the same port, after {@link #stop()}. */
  void restart() throws IOException, InterruptedException {
    try {
      process =
          new ProcessBuilder(
                  "redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
                  "--save", "", "--appendonly", "no", "--dir", directory.toString())
              .redirectErrorStream(true)
              .redirectOutput(directory.resolve("redis.log").toFile())
              .start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "redis-server is not installed: install Debian's redis-server package to run these tests", e);
    }
    Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
    while (!answersPing()) {
      if (Instant.now().isAfter(deadline) || !process.isAlive()) {
        throw new IllegalStateException(
            "redis-server did not start on port " + port + ": "
                + Files.readString(directory.resolve("redis.log")));
      }
      Thread.sleep(20);
    }
  }

  /** Stops it at once, as a crash or an outage would. */
  void stop() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private boolean answersPing() {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] reply = new byte[7];
      int read = in.readNBytes(reply, 0, reply.length);
      return new String(reply, 0, read, StandardCharsets.US_ASCII).startsWith("+PONG");
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() throws Exception {
    stop();
    try (var files = Files.walk(directory)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }
}

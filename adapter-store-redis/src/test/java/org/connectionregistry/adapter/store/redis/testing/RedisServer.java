package org.connectionregistry.adapter.store.redis.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.connectionregistry.testsupport.FreePort;

/**
 * A real {@code redis-server} for tests: on a free port of 127.0.0.1, without persistence, in a
 * temporary directory. Fails (never skips) when there is no binary to run (see {@link
 * RedisBinary}). Talks to the server with a few lines of RESP of its own, so checks do not go
 * through the code under test. Shared with the end-to-end tests through this module's test jar.
 */
public final class RedisServer implements AutoCloseable {

  private static final String EXECUTABLE = "redis-server";

  private final int port;
  private final Path directory;
  private final List<String> extraArgs;
  private Process process;

  private RedisServer(int port, Path directory, List<String> extraArgs) {
    this.port = port;
    this.directory = directory;
    this.extraArgs = List.copyOf(extraArgs);
  }

  /** Starts a server on a free port and waits until it answers PING. */
  public static RedisServer start() throws IOException, InterruptedException {
    return start(List.of());
  }

  /** The same, with more {@code redis-server} arguments, e.g. {@code --cluster-enabled yes}. */
  public static RedisServer start(List<String> extraArgs) throws IOException, InterruptedException {
    Path directory = Files.createTempDirectory("redis-test");
    RedisServer server = new RedisServer(FreePort.onLoopback(), directory, extraArgs);
    server.startProcess();
    return server;
  }

  /** The {@code redis-server} executable the tests run. */
  public static Path binary() {
    return RedisBinary.locate();
  }

  /** Kills the server with SIGKILL, as a crash would: no shutdown, no goodbye to its peers. */
  public void kill() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
      process = null;
    }
  }

  public int port() {
    return port;
  }

  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** Whether the server process is up (not stopped, and not exited). */
  public boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** Stops the server; its port stays reserved for {@link #restart()}. */
  public void stop() throws InterruptedException {
    if (process != null) {
      process.destroy(); // SIGTERM: redis-server exits at once without persistence
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      process = null;
    }
  }

  /** Starts the server again on the same port, empty. */
  public void restart() throws IOException, InterruptedException {
    stop();
    startProcess();
  }

  public void flushAll() throws IOException {
    command("FLUSHALL");
  }

  /** Sends one command and returns the reply: a status or bulk string, an integer, or null. */
  public String command(String... args) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      StringBuilder request = new StringBuilder("*" + args.length + "\r\n");
      for (String arg : args) {
        request.append('$').append(arg.getBytes(UTF_8).length).append("\r\n").append(arg).append("\r\n");
      }
      out.write(request.toString().getBytes(UTF_8));
      out.flush();
      InputStream in = new BufferedInputStream(socket.getInputStream());
      String line = readLine(in);
      switch (line.charAt(0)) {
        case '+':
        case ':':
          return line.substring(1);
        case '$':
          int length = Integer.parseInt(line.substring(1));
          if (length < 0) {
            return null;
          }
          byte[] bulk = in.readNBytes(length + 2);
          return new String(bulk, 0, length, UTF_8);
        default:
          throw new IOException("Redis replied " + line + " to " + String.join(" ", args));
      }
    }
  }

  @Override
  public void close() throws InterruptedException, IOException {
    stop();
    try (Stream<Path> files = Files.walk(directory)) {
      files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    }
  }

  private void startProcess() throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(
        List.of(
            RedisBinary.locate().toString(), "--port", String.valueOf(port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", directory.toString()));
    command.addAll(extraArgs);
    try {
      process =
          new ProcessBuilder(command)
              .directory(directory.toFile())
              .redirectErrorStream(true)
              .redirectOutput(directory.resolve("redis.log").toFile())
              .start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "Cannot run " + command.get(0) + " (" + e.getMessage() + "). The Redis tests need a real "
              + "Redis: install it, e.g. 'apt-get install redis-server' on Debian/Ubuntu.", e);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            EXECUTABLE + " exited at start: " + Files.readString(directory.resolve("redis.log")));
      }
      try {
        String pong = command("PING");
        if ("PONG".equals(pong)) {
          return;
        }
      } catch (IOException notYet) {
        // still starting
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException(EXECUTABLE + " did not answer PING on port " + port);
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) {
        throw new IOException("Redis closed the connection");
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(UTF_8);
  }
}

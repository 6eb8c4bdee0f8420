package org.connectionregistry.benchmarks.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A server running as a child process: started, awaited until it prints its ready line and
 * accepts connections, and stopped (SIGTERM, then SIGKILL) on {@link #close}.
 */
final class ServerProcess implements AutoCloseable {

  private static final int TAIL_LINES = 40;
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);

  private final String name;
  private final int port;
  private final Process process;
  private final Deque<String> tail = new ArrayDeque<>();
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private final Thread reader;

  private final java.nio.file.Path output;

  private ServerProcess(
      String name, int port, Process process, String readyText, java.nio.file.Path output) {
    this.name = name;
    this.port = port;
    this.process = process;
    this.output = output;
    this.reader = new Thread(() -> drain(readyText), name + "-output");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts {@code command} and waits until it is ready to serve on {@code port}. The process is
   * stopped again if it does not get ready.
   */
  static ServerProcess start(
      String name, List<String> command, int port, String readyText, Duration timeout)
      throws IOException, InterruptedException {
    // Through a file, not a pipe: the JDK closes a child's output pipe when the child exits, and
    // a reader still at it loses the last lines, which are the ones a stopping server prints.
    java.nio.file.Path output = java.nio.file.Files.createTempFile(name + "-server", ".log");
    output.toFile().deleteOnExit();
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    ServerProcess server = new ServerProcess(name, port, process, readyText, output);
    try {
      server.awaitReady(timeout);
      return server;
    } catch (IOException | InterruptedException | RuntimeException e) {
      server.close();
      throw e;
    }
  }

  /** A port that was free a moment ago on 127.0.0.1. */
  static int freePort() {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress("127.0.0.1", 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("No free port on 127.0.0.1", e);
    }
  }

  String name() {
    return name;
  }

  int port() {
    return port;
  }

  long pid() {
    return process.pid();
  }

  private void awaitReady(Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      ready.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new IOException(
          "The " + name + " server printed no ready line within "
              + DurationConverter.format(timeout) + "; its last output:" + tailText());
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IOException(Cli.describe(e.getCause()) + "; its last output:" + tailText());
    }
    // Some servers announce themselves a moment before they accept connections.
    while (true) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
        return;
      } catch (IOException notYet) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          throw new IOException(
              "The " + name + " server does not accept connections on 127.0.0.1:" + port
                  + "; its last output:" + tailText());
        }
        Thread.sleep(50);
      }
    }
  }

  /** Follows the output file as the process writes it, until the process has ended. */
  private void drain(String readyText) {
    try (BufferedReader reader = java.nio.file.Files.newBufferedReader(output, StandardCharsets.UTF_8)) {
      StringBuilder partial = new StringBuilder();
      while (true) {
        boolean ended = !process.isAlive();
        int c;
        while ((c = reader.read()) >= 0) {
          if (c == '\n') {
            take(partial.toString(), readyText);
            partial.setLength(0);
          } else if (c != '\r') {
            partial.append((char) c);
          }
        }
        if (ended) {
          if (partial.length() > 0) {
            take(partial.toString(), readyText);
          }
          break;
        }
        Thread.sleep(20);
      }
    } catch (IOException unreadable) {
      // What it printed so far is in the tail.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    int exitCode;
    try {
      exitCode = process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    ready.completeExceptionally(
        new IllegalStateException(
            "The " + name + " server exited with code " + exitCode + " before it was ready"));
  }

  private void take(String line, String readyText) {
    synchronized (tail) {
      if (tail.size() == TAIL_LINES) {
        tail.removeFirst();
      }
      tail.addLast(line);
    }
    if (line.contains(readyText)) {
      ready.complete(null);
    }
  }

  private String tailText() {
    synchronized (tail) {
      return tail.isEmpty() ? " (nothing)" : "\n  " + String.join("\n  ", tail);
    }
  }

  /**
   * Stops the process: a graceful SIGTERM first, SIGKILL if it does not end in time. Returns once
   * everything it printed has been read.
   */
  @Override
  public void close() {
    close(STOP_GRACE);
  }

  /** The same, giving the process {@code grace} to end after SIGTERM. */
  void close(Duration grace) {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly();
          process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
        return;
      }
    }
    try {
      reader.join(STOP_GRACE.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The last line of the process's output (of the last few dozen) that contains {@code text}. */
  java.util.Optional<String> lastLineContaining(String text) {
    synchronized (tail) {
      java.util.Iterator<String> lines = tail.descendingIterator();
      while (lines.hasNext()) {
        String line = lines.next();
        if (line.contains(text)) {
          return java.util.Optional.of(line);
        }
      }
      return java.util.Optional.empty();
    }
  }

  boolean isAlive() {
    return process.isAlive();
  }
}

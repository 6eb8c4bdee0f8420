package org.connectionregistry.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.connectionregistry.commandline.Durations;

/**
 * A server running as a child process on a loopback port: started, awaited until it prints its
 * ready line and accepts connections, and stopped on {@link #close}. Everything it prints is
 * kept, for tests to look for lines in and to attach to their reports.
 *
 * <p>Start one with {@link #command}: {@code ServerProcess.command("full", command, port)
 * .readyWhenPrinting("Server is starting on port").start()}.
 */
public final class ServerProcess implements AutoCloseable {

  /** How many of its last lines a failure to start quotes. */
  private static final int QUOTED_LINES = 40;

  private final String name;
  private final int port;
  private final Process process;
  private final Duration stopGrace;
  private final Consumer<ServerProcess> afterStop;
  private final List<String> output = new ArrayList<>();
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private final Thread reader;
  private boolean stopReported;

  private ServerProcess(Starter starter, Process process) {
    this.name = starter.name;
    this.port = starter.port;
    this.process = process;
    this.stopGrace = starter.stopGrace;
    this.afterStop = starter.afterStop;
    this.reader = new Thread(() -> read(starter.readyText), name + "-output-" + port);
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Describes a server to start: {@code command} serves on 127.0.0.1:{@code port}; {@code name}
   * is how messages about it call it ("The full server exited ...").
   */
  public static Starter command(String name, List<String> command, int port) {
    return new Starter(name, new ProcessBuilder(command), port);
  }

  /** As {@link #command(String, List, int)}, with an environment or directory set up already. */
  public static Starter command(String name, ProcessBuilder command, int port) {
    return new Starter(name, command, port);
  }

  /** How a server is started, awaited and stopped; {@link #start} starts it. */
  public static final class Starter {
    private final String name;
    private final ProcessBuilder command;
    private final int port;
    private String readyText = "";
    private Duration startTimeout = Duration.ofSeconds(60);
    private Duration stopGrace = Duration.ofSeconds(10);
    private Consumer<ServerProcess> afterStop = server -> {};

    private Starter(String name, ProcessBuilder command, int port) {
      this.name = Objects.requireNonNull(name, "name");
      this.command = Objects.requireNonNull(command, "command");
      this.port = port;
    }

    /** The server is ready once it has printed a line containing {@code text}. */
    public Starter readyWhenPrinting(String text) {
      this.readyText = Objects.requireNonNull(text, "text");
      return this;
    }

    /** How long it may take to get ready (default 60 s); then it is stopped and start fails. */
    public Starter startTimeout(Duration timeout) {
      this.startTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * How long {@link #close} lets it end after SIGTERM before it kills it (default 10 s); zero
     * kills it at once.
     */
    public Starter stopGrace(Duration grace) {
      this.stopGrace = Objects.requireNonNull(grace, "grace");
      return this;
    }

    /** Runs once the server has stopped and everything it printed has been read. */
    public Starter afterStop(Consumer<ServerProcess> action) {
      this.afterStop = Objects.requireNonNull(action, "action");
      return this;
    }

    /**
     * Starts the server and waits until it is ready: it printed its ready line and accepts
     * connections. A server that does not get ready is stopped again.
     *
     * @throws IOException naming the server and quoting its last output, if it exited or did not
     *     get ready in time
     */
    public ServerProcess start() throws IOException, InterruptedException {
      ServerProcess server = new ServerProcess(this, command.redirectErrorStream(true).start());
      try {
        server.awaitReady(startTimeout);
        return server;
      } catch (IOException | InterruptedException | RuntimeException e) {
        server.close();
        throw e;
      }
    }
  }

  public String name() {
    return name;
  }

  public int port() {
    return port;
  }

  /** {@code 127.0.0.1:<port>}, as a gRPC channel is pointed at it. */
  public String target() {
    return "127.0.0.1:" + port;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Everything it printed (standard output and error) so far, one line after another. */
  public String outputText() {
    return String.join(System.lineSeparator(), lines());
  }

  private List<String> lines() {
    synchronized (output) {
      return List.copyOf(output);
    }
  }

  /**
   * Waits for a line it prints.
   *
   * @throws AssertionError quoting what it did print, if no such line comes within {@code timeout}
   *     or it exits first: for a test, that line was an expectation
   */
  public String awaitLine(Predicate<String> wanted, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      boolean ended = !reader.isAlive();
      for (String line : lines()) {
        if (wanted.test(line)) {
          return line;
        }
      }
      if (ended) {
        throw new AssertionError(
            "The " + name + " server exited with " + process.waitFor()
                + " before printing the expected line:\n" + outputText());
      }
      Thread.sleep(20);
    }
    throw new AssertionError(
        "The " + name + " server did not print the expected line within "
            + Durations.format(timeout) + ":\n" + outputText());
  }

  /**
   * Sends SIGTERM, as a service manager or Ctrl-C would, and returns its exit code once it has
   * ended; what it prints on the way out is kept.
   *
   * @throws AssertionError if it has not ended within {@code timeout} (it is killed then)
   */
  public int terminate(Duration timeout) throws InterruptedException {
    // ProcessHandle.destroy(), unlike Process.destroy(), leaves our end of its output open.
    process.toHandle().destroy();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor();
      reportStop();
      throw new AssertionError(
          "The " + name + " server did not stop within " + Durations.format(timeout)
              + " of SIGTERM:\n" + outputText());
    }
    reportStop();
    return process.exitValue();
  }

  /**
   * Stops it: SIGTERM, and SIGKILL if it has not ended within the stop grace (at once if that is
   * zero). Does nothing more to a server that has stopped already.
   */
  @Override
  public void close() {
    try {
      if (process.isAlive()) {
        if (stopGrace.isZero()) {
          process.destroyForcibly();
        } else {
          process.toHandle().destroy();
        }
        if (!process.waitFor(stopGrace.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly();
          process.waitFor(10, TimeUnit.SECONDS);
        }
      }
      reportStop();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private void reportStop() throws InterruptedException {
    reader.join(5_000); // everything it printed before it ended
    synchronized (this) {
      if (stopReported) {
        return;
      }
      stopReported = true;
    }
    afterStop.accept(this);
  }

  private void awaitReady(Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      ready.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new IOException(
          "The " + name + " server printed no ready line within " + Durations.format(timeout)
              + "; its last output:" + lastLines());
    } catch (ExecutionException e) {
      throw new IOException(e.getCause().getMessage() + "; its last output:" + lastLines());
    }
    // Some servers announce themselves a moment before they accept connections.
    while (true) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
        return;
      } catch (IOException notYet) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          throw new IOException(
              "The " + name + " server does not accept connections on " + target()
                  + "; its last output:" + lastLines());
        }
        Thread.sleep(50);
      }
    }
  }

  private void read(String readyText) {
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = reader.readLine()) != null; ) {
        synchronized (output) {
          output.add(line);
        }
        if (line.contains(readyText)) {
          ready.complete(null);
        }
      }
    } catch (IOException closed) {
      // The process is gone; what it printed so far is kept.
    }
    try {
      int exitCode = process.waitFor();
      ready.completeExceptionally(
          new IllegalStateException(
              "The " + name + " server exited with code " + exitCode + " before it was ready"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private String lastLines() {
    List<String> lines = lines();
    List<String> last = lines.subList(Math.max(0, lines.size() - QUOTED_LINES), lines.size());
    return last.isEmpty() ? " (nothing)" : "\n  " + String.join("\n  ", last);
  }
}

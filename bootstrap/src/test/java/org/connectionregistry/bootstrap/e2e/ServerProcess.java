package org.connectionregistry.bootstrap.e2e;

import io.qameta.allure.Allure;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real {@code connection-server.jar} process on a free loopback port (or another gRPC server
 * that prints the same ready line, see {@link #launch}).
 *
 * <p>Its start is a step of the test report, and everything it printed (its log) is attached to
 * the test when it stops, so every end-to-end test carries the server's side of the story.
 */
final class ServerProcess implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final Process process;
  private final String name;
  private final int port;
  private final List<String> output = new CopyOnWriteArrayList<>();
  private final Thread reader;
  private boolean logAttached;

  private ServerProcess(Process process, String name, int port) {
    this.process = process;
    this.name = name;
    this.port = port;
    this.reader =
        new Thread(
            () -> {
              try (BufferedReader lines =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null; ) {
                  output.add(line);
                }
              } catch (IOException ignored) {
                // The process ended; what it printed is kept.
              }
            },
            "server-output-" + port);
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts a server with {@code --host 127.0.0.1 --port <free>} and waits until it is ready. */
  static ServerProcess start(String... extraArgs) throws IOException, InterruptedException {
    int port = Processes.freePort();
    List<String> args = new ArrayList<>(List.of("--host", "127.0.0.1", "--port", String.valueOf(port)));
    args.addAll(List.of(extraArgs));
    String step =
        "the server is started on 127.0.0.1:" + port
            + (extraArgs.length == 0 ? "" : " with " + String.join(" ", extraArgs));
    return launch(
        step,
        "server",
        new ProcessBuilder(Processes.javaCommand(Processes.serverJar(), args.toArray(String[]::new))),
        port);
  }

  /**
   * Starts {@code command}, a server that listens on 127.0.0.1:{@code port} and prints {@code
   * Server is starting on port <port>.} when it is ready, as one step of the report named {@code
   * step}; its log is attached as "{@code name} log".
   */
  static ServerProcess launch(String step, String name, ProcessBuilder command, int port)
      throws IOException, InterruptedException {
    return Allure.step(
        step,
        () -> {
          Process process = command.redirectErrorStream(true).start();
          ServerProcess server = new ServerProcess(process, name, port);
          try {
            server.awaitLine(
                line -> line.contains("Server is starting on port " + port + "."), START_TIMEOUT);
          } catch (AssertionError | InterruptedException e) {
            server.close(); // stop it, and attach what it printed
            throw e;
          }
          return server;
        });
  }

  int port() {
    return port;
  }

  String target() {
    return "127.0.0.1:" + port;
  }

  String outputText() {
    return String.join(System.lineSeparator(), output);
  }

  /** Waits for a line the server prints; fails with what it did print if none comes. */
  String awaitLine(Predicate<String> wanted, Duration timeout) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      for (String line : output) {
        if (wanted.test(line)) {
          return line;
        }
      }
      if (!process.isAlive() && output.stream().noneMatch(wanted)) {
        Thread.sleep(100); // let the reader drain what is left
        if (output.stream().noneMatch(wanted)) {
          throw new AssertionError(
              "server exited with " + process.exitValue() + " before printing the expected line:\n"
                  + outputText());
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("server did not print the expected line within " + timeout + ":\n" + outputText());
  }

  /** Sends SIGTERM, as a service manager or Ctrl-C would, and returns the exit code. */
  int terminate(Duration timeout) throws IOException, InterruptedException {
    // Process.destroy() would also close our end of its output, losing what it prints on the way out.
    new ProcessBuilder("kill", "-TERM", String.valueOf(process.pid())).inheritIO().start().waitFor();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor();
      throw new AssertionError("server did not stop within " + timeout + " of SIGTERM:\n" + outputText());
    }
    reader.join(5_000); // everything it printed before exiting
    attachLog();
    return process.exitValue();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    reader.join(5_000);
    attachLog();
  }

  /** Attaches the server's log to the running test, once, when the server has stopped. */
  private void attachLog() {
    if (!logAttached) {
      logAttached = true;
      Allure.addAttachment(
          name + " log (127.0.0.1:" + port + ")", "text/plain", outputText(), ".txt");
    }
  }
}

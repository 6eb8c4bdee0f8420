package org.connectionregistry.bootstrap.e2e;

import io.qameta.allure.Allure;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code connection-client.jar present --id ID} process, holding a session. Its standard
 * input stays open until {@link #endInput()}; what it printed is attached to the test.
 */
final class PresentClient implements AutoCloseable {

  private final Process process;
  private final String id;
  private final List<String> output = new CopyOnWriteArrayList<>();
  private final Thread reader;
  private boolean attached;

  private PresentClient(Process process, String id) {
    this.process = process;
    this.id = id;
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
                // the process ended
              }
            },
            "present-output-" + id);
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts the client and waits until it says it is connected. */
  static PresentClient start(String target, String id) throws Exception {
    return Allure.step(
        "a client process holds a session for " + id,
        () -> {
          Process process =
              new ProcessBuilder(
                      Processes.javaCommand(
                          Processes.clientJar(), "present", "--id", id, "--target", target))
                  .redirectErrorStream(true)
                  .start();
          PresentClient client = new PresentClient(process, id);
          client.awaitLine("Connected as " + id + ".", Duration.ofSeconds(30));
          return client;
        });
  }

  /**
   * Starts the client with more options ({@code --ca}, {@code --token-file}...) and environment,
   * without waiting for anything.
   */
  static PresentClient launch(String target, String id, java.util.Map<String, String> environment, String... options)
      throws IOException {
    List<String> args = new java.util.ArrayList<>(List.of("present", "--id", id, "--target", target));
    args.addAll(List.of(options));
    ProcessBuilder builder =
        new ProcessBuilder(Processes.javaCommand(Processes.clientJar(), args.toArray(String[]::new)))
            .redirectErrorStream(true);
    builder.environment().remove("CONNECTION_REGISTRY_TOKEN");
    builder.environment().putAll(environment);
    return new PresentClient(builder.start(), id);
  }

  void awaitLine(String wanted, Duration timeout) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      if (output.contains(wanted)) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("the present client did not print '" + wanted + "' within " + timeout + ":\n" + text());
  }

  /** SIGKILL: no shutdown hook, no goodbye; the kernel closes its sockets. */
  void kill9() throws Exception {
    Allure.step(
        "the client process holding " + id + " is killed with SIGKILL",
        () -> {
          new ProcessBuilder("kill", "-KILL", String.valueOf(process.pid())).inheritIO().start().waitFor();
          process.waitFor(10, TimeUnit.SECONDS);
        });
  }

  /** Closes its standard input, as a script does at the end; returns its exit code. */
  int endInput() throws Exception {
    OutputStream stdin = process.getOutputStream();
    stdin.close();
    if (!process.waitFor(15, TimeUnit.SECONDS)) {
      throw new AssertionError("the present client did not exit at end of input:\n" + text());
    }
    reader.join(5_000);
    return process.exitValue();
  }

  int awaitExit() throws Exception {
    if (!process.waitFor(15, TimeUnit.SECONDS)) {
      throw new AssertionError("the present client did not exit:\n" + text());
    }
    reader.join(5_000);
    return process.exitValue();
  }

  List<String> lines() {
    return List.copyOf(output);
  }

  private String text() {
    return String.join(System.lineSeparator(), output);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    reader.join(5_000);
    if (!attached) {
      attached = true;
      Allure.addAttachment("present client " + id + " output", "text/plain", text(), ".txt");
    }
  }
}

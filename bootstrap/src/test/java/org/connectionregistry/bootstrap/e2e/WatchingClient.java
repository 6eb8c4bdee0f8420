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
 * A real {@code connection-client.jar watch} process. Its standard input stays open until {@link
 * #endInput()}; what it printed is attached to the test.
 */
final class WatchingClient implements AutoCloseable {

  private final Process process;
  private final List<String> output = new CopyOnWriteArrayList<>();
  private final Thread reader;
  private boolean attached;

  private WatchingClient(Process process) {
    this.process = process;
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
            "watch-output");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code connection-client.jar watch --target TARGET ARGS...}. */
  static WatchingClient start(String target, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("watch", "--target", target));
    command.addAll(List.of(args));
    return Allure.step(
        "a client process watches " + target + (args.length == 0 ? "" : " with " + String.join(" ", args)),
        () ->
            new WatchingClient(
                new ProcessBuilder(
                        Processes.javaCommand(Processes.clientJar(), command.toArray(String[]::new)))
                    .redirectErrorStream(true)
                    .start()));
  }

  /** Waits for a line that matches, and returns it. */
  String awaitLine(Predicate<String> wanted, String what, Duration timeout) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      for (String line : output) {
        if (wanted.test(line)) {
          return line;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("the watching client did not print " + what + " within " + timeout + ":\n" + text());
  }

  /** Closes its standard input, as a script does at the end; returns its exit code. */
  int endInput() throws Exception {
    process.getOutputStream().close();
    return awaitExit();
  }

  int awaitExit() throws Exception {
    if (!process.waitFor(15, TimeUnit.SECONDS)) {
      throw new AssertionError("the watching client did not exit:\n" + text());
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
      Allure.addAttachment("watching client output", "text/plain", text(), ".txt");
    }
  }
}

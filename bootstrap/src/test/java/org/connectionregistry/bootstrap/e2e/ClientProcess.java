package org.connectionregistry.bootstrap.e2e;

import io.qameta.allure.Allure;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real {@code connection-client.jar} process in one of its long-running modes ({@code
 * present}, {@code watch}): what it prints is collected line by line as it comes, to wait for and
 * check, and attached to the test when it is closed. Its standard input stays open until {@link
 * #endInput()}.
 */
abstract class ClientProcess implements AutoCloseable {

  private final Process process;
  private final String name;
  private final List<String> output = new CopyOnWriteArrayList<>();
  private final Thread reader;
  private boolean attached;

  /**
   * @param name what the process is called in failure messages and in the attachment's title,
   *     e.g. {@code "watching client"}
   */
  ClientProcess(Process process, String name, String readerThreadName) {
    this.process = process;
    this.name = name;
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
            readerThreadName);
    reader.setDaemon(true);
    reader.start();
  }

  final Process process() {
    return process;
  }

  /** Waits for a line that matches, and returns it; {@code what} names it if none comes. */
  final String awaitLine(Predicate<String> wanted, String what, Duration timeout)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      for (String line : output) {
        if (wanted.test(line)) {
          return line;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("the " + name + " did not print " + what + " within " + timeout + ":\n" + text());
  }

  /** Closes its standard input, as a script does at the end; returns its exit code. */
  final int endInput() throws Exception {
    process.getOutputStream().close();
    if (!process.waitFor(15, TimeUnit.SECONDS)) {
      throw new AssertionError("the " + name + " did not exit at end of input:\n" + text());
    }
    reader.join(5_000);
    return process.exitValue();
  }

  final int awaitExit() throws Exception {
    if (!process.waitFor(15, TimeUnit.SECONDS)) {
      throw new AssertionError("the " + name + " did not exit:\n" + text());
    }
    reader.join(5_000);
    return process.exitValue();
  }

  final List<String> lines() {
    return List.copyOf(output);
  }

  private String text() {
    return String.join(System.lineSeparator(), output);
  }

  @Override
  public final void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    reader.join(5_000);
    if (!attached) {
      attached = true;
      Allure.addAttachment(name + " output", "text/plain", text(), ".txt");
    }
  }
}

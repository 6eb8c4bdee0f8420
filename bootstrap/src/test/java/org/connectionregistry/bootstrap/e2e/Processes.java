package org.connectionregistry.bootstrap.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.testsupport.JavaCommand;

/**
 * For end-to-end tests: finds the packaged jars, and feeds and reads the console client and
 * other short-lived processes.
 */
final class Processes {

  private Processes() {}

  static Path serverJar() {
    return jar("connreg.server.jar", "connection-server.jar");
  }

  static Path clientJar() {
    return jar("connreg.client.jar", "connection-client.jar");
  }

  private static Path jar(String property, String name) {
    Path jar = Paths.get(System.getProperty(property, "target/" + name));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar + " does not exist: build it first with `mvn package` (or run `mvn verify`)");
    }
    return jar;
  }

  /** {@code java -jar <jar> <args>}, with flags that make a short-lived JVM start fast. */
  static List<String> javaCommand(Path jar, String... args) {
    return JavaCommand.ofJar(
        List.of("-Xshare:auto", "-XX:TieredStopAtLevel=1"), jar, List.of(args));
  }

  /** What a process printed, and how it ended: with an exit code, or killed at the time limit. */
  record Finished(boolean timedOut, int exitCode, String stdout, String stderr) {}

  /**
   * Writes {@code input} to a started process's standard input and closes it (end of input), then
   * waits up to {@code timeout} for it to end; a process still running then is killed, and what
   * it printed so far is kept.
   */
  static Finished feedAndWait(Process process, String input, Duration timeout)
      throws IOException, InterruptedException {
    CompletableFuture<String> stdout = drain(process.getInputStream());
    CompletableFuture<String> stderr = drain(process.getErrorStream());
    try (OutputStream stdin = process.getOutputStream()) {
      stdin.write(input.getBytes(StandardCharsets.UTF_8));
    }
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor();
      return new Finished(true, -1, stdout.getNow(""), stderr.getNow(""));
    }
    return new Finished(false, process.exitValue(), stdout.join(), stderr.join());
  }

  /** Reads a process's output stream to its end in the background: what it printed, as text. */
  private static CompletableFuture<String> drain(InputStream stream) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            return ""; // the process ended and its pipe closed under us; nothing more to read
          }
        });
  }
}

package org.connectionregistry.bootstrap.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * For end-to-end tests: finds the packaged jars, the java binary and free loopback ports, and
 * reads what processes print.
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

  static List<String> javaCommand(Path jar, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xshare:auto");
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(List.of(args));
    return command;
  }

  /** A port nobody listens on right now, on 127.0.0.1. */
  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free loopback port", e);
    }
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

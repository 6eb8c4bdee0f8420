package org.connectionregistry.bootstrap.e2e;

import io.qameta.allure.Allure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A run of {@code connection-server.jar} that is expected to end by itself (--help, or a start-up
 * that must fail): what it printed, standard output and error together, and its exit code.
 */
record ServerExit(int exitCode, String output) {

  private static final long TIMEOUT_SECONDS = 30;

  /** Runs the server with exactly {@code args} and waits for it to exit. */
  static ServerExit of(String... args) throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(Processes.javaCommand(Processes.serverJar(), args))
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    Allure.addAttachment(
        "server output (" + String.join(" ", args) + ")", "text/plain", output, ".txt");
    if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the server did not stop within " + TIMEOUT_SECONDS + " s: " + output);
    }
    return new ServerExit(process.exitValue(), output);
  }
}

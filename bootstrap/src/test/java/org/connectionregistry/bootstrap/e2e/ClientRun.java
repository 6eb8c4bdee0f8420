package org.connectionregistry.bootstrap.e2e;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** One run of {@code connection-client.jar} whose standard input is a script, as in a pipe. */
record ClientRun(int exitCode, String stdout, String stderr) {

  private static final long TIMEOUT_SECONDS = 60;

  /** Runs the client with {@code input} piped in (closed afterwards: end of input). */
  static ClientRun of(String input, String... args) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(Processes.javaCommand(Processes.clientJar(), args)).start();
    CompletableFuture<String> stdout = drain(process.getInputStream());
    CompletableFuture<String> stderr = drain(process.getErrorStream());
    try (OutputStream stdin = process.getOutputStream()) {
      stdin.write(input.getBytes(StandardCharsets.UTF_8));
    }
    if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
      throw new AssertionError("client did not finish within " + TIMEOUT_SECONDS + " s: " + stdout.getNow(""));
    }
    return new ClientRun(process.exitValue(), stdout.join(), stderr.join());
  }

  /** Runs a client that sends one script against a server target. */
  static ClientRun against(String target, String... scriptLines) throws IOException, InterruptedException {
    return of(String.join("\n", scriptLines) + "\n", "--target", target);
  }

  private static CompletableFuture<String> drain(java.io.InputStream stream) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            return "";
          }
        });
  }

  /**
   * What the client printed, one line per answer: the prompts are dropped, since in a pipe the
   * answer that follows a prompt lands on the prompt's line.
   */
  List<String> answers() {
    String text = stdout;
    for (String prompt : PROMPTS) {
      text = text.replace(prompt, "\n");
    }
    return text.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
  }

  private static final List<String> PROMPTS =
      List.of(
          "Select an option: ",
          "Enter client ID (leave empty for all clients): ",
          "Enter client ID: ",
          "Enter message (Hello/Goodbye): ");
}

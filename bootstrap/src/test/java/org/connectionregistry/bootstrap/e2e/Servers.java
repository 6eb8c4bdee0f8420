package org.connectionregistry.bootstrap.e2e;

import io.qameta.allure.Allure;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.connectionregistry.testsupport.FreePort;
import org.connectionregistry.testsupport.ServerProcess;

/**
 * Real server processes for the end-to-end tests: {@code connection-server.jar} on a free
 * loopback port, or another gRPC server that prints the same ready line.
 *
 * <p>Each start is a step of the test report, and everything a server printed (its log) is
 * attached to the test when it stops, so every end-to-end test carries the server's side of the
 * story.
 */
final class Servers {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private Servers() {}

  /** Starts our server with {@code --host 127.0.0.1 --port <free>} and waits until it is ready. */
  static ServerProcess start(String... extraArgs) throws IOException, InterruptedException {
    int port = FreePort.onLoopback();
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
   * step}; its log is attached as "{@code name} log". A test that ends leaves no server behind:
   * closing one kills it at once.
   */
  static ServerProcess launch(String step, String name, ProcessBuilder command, int port)
      throws IOException, InterruptedException {
    return Allure.step(
        step,
        () ->
            ServerProcess.command(name, command, port)
                .readyWhenPrinting("Server is starting on port " + port + ".")
                .startTimeout(START_TIMEOUT)
                .stopGrace(Duration.ZERO)
                .afterStop(
                    server ->
                        Allure.addAttachment(
                            name + " log (" + server.target() + ")",
                            "text/plain",
                            server.outputText(),
                            ".txt"))
                .start());
  }
}

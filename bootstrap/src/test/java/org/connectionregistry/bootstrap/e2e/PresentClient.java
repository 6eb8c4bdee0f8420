package org.connectionregistry.bootstrap.e2e;

import io.qameta.allure.Allure;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code connection-client.jar present --id ID} process, holding a session. Its standard
 * input stays open until {@link #endInput()}; what it printed is attached to the test.
 */
final class PresentClient extends ClientProcess {

  private final String id;

  private PresentClient(Process process, String id) {
    super(process, "present client " + id, "present-output-" + id);
    this.id = id;
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
  static PresentClient launch(String target, String id, Map<String, String> environment, String... options)
      throws IOException {
    List<String> args = new ArrayList<>(List.of("present", "--id", id, "--target", target));
    args.addAll(List.of(options));
    ProcessBuilder builder =
        new ProcessBuilder(Processes.javaCommand(Processes.clientJar(), args.toArray(String[]::new)))
            .redirectErrorStream(true);
    builder.environment().remove("CONNECTION_REGISTRY_TOKEN");
    builder.environment().putAll(environment);
    return new PresentClient(builder.start(), id);
  }

  /** Waits for exactly this line. */
  void awaitLine(String wanted, Duration timeout) throws InterruptedException {
    awaitLine(wanted::equals, "'" + wanted + "'", timeout);
  }

  /** SIGKILL: no shutdown hook, no goodbye; the kernel closes its sockets. */
  void kill9() throws Exception {
    Allure.step(
        "the client process holding " + id + " is killed with SIGKILL",
        () -> {
          new ProcessBuilder("kill", "-KILL", String.valueOf(process().pid())).inheritIO().start().waitFor();
          process().waitFor(10, TimeUnit.SECONDS);
        });
  }
}

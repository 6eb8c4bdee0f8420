package org.connectionregistry.bootstrap.e2e;

import io.qameta.allure.Allure;
import java.util.ArrayList;
import java.util.List;

/**
 * A real {@code connection-client.jar watch} process. Its standard input stays open until {@link
 * #endInput()}; what it printed is attached to the test.
 */
final class WatchingClient extends ClientProcess {

  private WatchingClient(Process process) {
    super(process, "watching client", "watch-output");
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
}

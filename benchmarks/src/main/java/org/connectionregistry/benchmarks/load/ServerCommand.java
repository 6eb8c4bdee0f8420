package org.connectionregistry.benchmarks.load;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.connectionregistry.testsupport.FreePort;
import org.connectionregistry.testsupport.JavaCommand;
import org.connectionregistry.testsupport.ServerProcess;

/**
 * A server under measurement as the command lines of the load tools describe it: {@code java},
 * its JVM flags, and what follows them, in which {@code {port}} stands for the free loopback
 * port it is given (and each key of {@code placeholders} for its value).
 *
 * @param name what messages call it ("the full server")
 * @param jvmFlags JVM flags, space-separated
 * @param args what follows {@code java <jvmFlags>}, space-separated
 * @param readyText text the server prints when it is ready
 */
record ServerCommand(String name, String jvmFlags, String args, String readyText) {

  /** The full server from the packaged jar, as the README's commands start it. */
  static final String FULL_SERVER_ARGS =
      "-jar bootstrap/target/connection-server.jar --host 127.0.0.1 --port {port}";

  /** What the full server prints when it is ready. */
  static final String FULL_SERVER_READY = "Server is starting on port";

  /**
   * Starts it on a free loopback port, behind {@code launcher} (such as {@code taskset -c 1}),
   * and waits up to {@code timeout} until it is ready; {@link ServerProcess#close} stops it with
   * SIGTERM, and SIGKILL after 10 s.
   */
  ServerProcess start(List<String> launcher, Map<String, String> placeholders, Duration timeout)
      throws IOException, InterruptedException {
    int port = FreePort.onLoopback();
    List<String> arguments = new ArrayList<>();
    for (String word : JavaCommand.words(args)) {
      String filled = word.replace("{port}", Integer.toString(port));
      for (Map.Entry<String, String> placeholder : placeholders.entrySet()) {
        filled = filled.replace(placeholder.getKey(), placeholder.getValue());
      }
      arguments.add(filled);
    }
    List<String> command = new ArrayList<>(launcher);
    command.addAll(JavaCommand.of(JavaCommand.words(jvmFlags), arguments));
    return ServerProcess.command(name, command, port)
        .readyWhenPrinting(readyText)
        .startTimeout(timeout)
        .start();
  }
}

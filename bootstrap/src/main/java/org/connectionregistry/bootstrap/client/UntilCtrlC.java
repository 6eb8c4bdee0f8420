package org.connectionregistry.bootstrap.client;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.IntSupplier;

/**
 * What the client's long-running commands ({@code present} and {@code watch}) share around their
 * console: output flushed line by line, a daemon thread for the reconnect attempts, and a
 * shutdown hook so that Ctrl-C ends the console's business with the server before the JVM exits.
 */
final class UntilCtrlC {

  private UntilCtrlC() {}

  /** Standard output in UTF-8 whatever the locale, flushed at every line, for scripts. */
  static PrintStream lineOutput() {
    return new PrintStream(System.out, true, StandardCharsets.UTF_8);
  }

  /**
   * One daemon thread, named {@code threadName}, that schedules the reconnect attempts; shut it
   * down when the console is done.
   */
  static ScheduledExecutorService retryScheduler(String threadName) {
    return Executors.newSingleThreadScheduledExecutor(
        task -> {
          Thread thread = new Thread(task, threadName);
          thread.setDaemon(true);
          return thread;
        });
  }

  /**
   * Runs {@code console} to its end and returns its exit code; on Ctrl-C (or any other shutdown)
   * meanwhile, {@code stop} runs on a thread named {@code hookThreadName} first.
   */
  static int run(IntSupplier console, Runnable stop, String hookThreadName) {
    Thread onCtrlC = new Thread(stop, hookThreadName);
    Runtime.getRuntime().addShutdownHook(onCtrlC);
    int code = console.getAsInt();
    try {
      Runtime.getRuntime().removeShutdownHook(onCtrlC);
    } catch (IllegalStateException e) {
      // already shutting down: the hook is stopping the console
    }
    return code;
  }
}

package org.connectionregistry.benchmarks.load;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.testsupport.JavaCommand;

/**
 * The console client as a user runs it: a fresh {@code connection-client.jar} process whose user
 * reads the menu, takes a moment to type, chooses "all clients" and exits. Times what the user
 * waits for, from pressing Enter on the empty ID.
 */
final class ConsoleClientProcess {

  /** What one run took: from Enter to the first and the last client's line; from "3" to exit. */
  record Timings(long firstLineNanos, long lastLineNanos, long exitNanos, long lines) {}

  private static final String MENU_PROMPT = "Select an option: ";
  private static final String ID_PROMPT = "Enter client ID (leave empty for all clients): ";
  private static final String LINE = "Client ID: ";
  private static final Duration PROCESS_TIMEOUT = Duration.ofSeconds(60);

  private ConsoleClientProcess() {}

  static Timings listAll(Path clientJar, String target, Duration typing)
      throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(JavaCommand.ofJar(List.of(), clientJar, List.of("--target", target)))
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      OutputStream keys = process.getOutputStream();
      Output screen = new Output(process.getInputStream());
      screen.awaitText(MENU_PROMPT);
      Thread.sleep(typing.toMillis());
      type(keys, "2\n");
      screen.awaitText(ID_PROMPT);
      type(keys, "\n");
      long enter = System.nanoTime();
      screen.countLines();
      long firstLine = screen.awaitText(LINE) - enter;
      long lastLine = screen.awaitText(MENU_PROMPT) - enter;
      long lines = screen.lines();
      type(keys, "3\n");
      keys.close();
      long exitTyped = System.nanoTime();
      if (!process.waitFor(PROCESS_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("the console client did not exit within " + PROCESS_TIMEOUT);
      }
      long exit = System.nanoTime() - exitTyped;
      if (process.exitValue() != 0) {
        throw new IllegalStateException("the console client exited with " + process.exitValue());
      }
      return new Timings(firstLine, lastLine, exit, lines);
    } finally {
      process.destroyForcibly();
    }
  }

  private static void type(OutputStream keys, String text) throws IOException {
    keys.write(text.getBytes(StandardCharsets.UTF_8));
    keys.flush();
  }

  /**
   * What the client printed, read as it comes: finds texts in what is new since the last find,
   * and counts client lines meanwhile. Holds only a short tail, so a million lines cost nothing.
   */
  private static final class Output {
    private final InputStream in;
    private final byte[] chunk = new byte[1 << 16];
    private String pending = "";
    private boolean counting;
    private long lines;

    Output(InputStream in) {
      this.in = in;
    }

    void countLines() {
      counting = true;
    }

    long lines() {
      return lines;
    }

    /** Reads until {@code text} shows; returns System.nanoTime() when it did. */
    long awaitText(String text) throws IOException {
      while (true) {
        int at = pending.indexOf(text);
        if (at >= 0) {
          long seen = System.nanoTime();
          pending = pending.substring(at + text.length());
          return seen;
        }
        int read = in.read(chunk);
        if (read < 0) {
          throw new IOException("the console client ended before printing '" + text.strip() + "'");
        }
        // ISO-8859-1 maps bytes to chars one to one: the texts looked for are ASCII.
        String arrived = new String(chunk, 0, read, StandardCharsets.ISO_8859_1);
        String keep = pending.substring(Math.max(0, pending.length() - 64));
        if (counting) {
          lines += occurrences(keep + arrived, LINE) - occurrences(keep, LINE);
        }
        pending = keep + arrived;
      }
    }

    private static long occurrences(String text, String of) {
      long count = 0;
      for (int at = text.indexOf(of); at >= 0; at = text.indexOf(of, at + of.length())) {
        count++;
      }
      return count;
    }
  }
}

package org.connectionregistry.adapter.console;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * The user's side of the menu: prompts answered by lines of UTF-8 text, and lines of output.
 *
 * <p>Output is flushed whenever the user is kept waiting: before reading an answer, and when a
 * caller says so ({@link #flush()}, e.g. after each page of a long listing). Lines in between are
 * not flushed one by one, so that a million of them cost a few thousand writes, not a million.
 */
final class Console {

  private final BufferedReader in;
  private final PrintStream out;

  Console(InputStream in, PrintStream out) {
    this.in =
        new BufferedReader(
            new InputStreamReader(Objects.requireNonNull(in, "in"), StandardCharsets.UTF_8));
    this.out = Objects.requireNonNull(out, "out");
  }

  /**
   * Shows the prompt on the current line and reads the answer.
   *
   * @return the line as typed, without its line break; empty at the end of input
   */
  Optional<String> ask(String prompt) {
    out.print(prompt);
    // A pipe or a slow terminal would otherwise show the prompt only after the answer.
    out.flush();
    String line;
    try {
      line = in.readLine();
    } catch (IOException e) {
      // Input that cannot be read any more has ended, as far as the user can tell.
      line = null;
    }
    if (line == null) {
      // Ends the prompt's line, so the shell's prompt does not land after ours.
      out.println();
      out.flush();
      return Optional.empty();
    }
    return Optional.of(line);
  }

  /** Prints one line; it shows at the next prompt or {@link #flush()}, or sooner. */
  void say(String line) {
    out.println(line);
  }

  /** Shows everything said so far. */
  void flush() {
    out.flush();
  }
}

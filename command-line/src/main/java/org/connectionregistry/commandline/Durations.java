package org.connectionregistry.commandline;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one way every command line of the project writes a duration: a whole number and a unit,
 * {@code ms}, {@code s} or {@code m} ({@code 500ms}, {@code 5s}, {@code 2m}; a space between them
 * is allowed). Whether zero makes sense is up to each option, not to the syntax: see {@link
 * DurationConverter} and {@link PositiveDurationConverter}.
 */
public final class Durations {

  private static final Pattern SYNTAX = Pattern.compile("(\\d+)\\s*(ms|s|m)");

  private Durations() {}

  /**
   * Reads {@code text} in the syntax above.
   *
   * @throws IllegalArgumentException naming the text and showing how to write it
   */
  public static Duration parse(String text) {
    Objects.requireNonNull(text, "text");
    Matcher matcher = SYNTAX.matcher(text.strip());
    if (!matcher.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration; write it like 500ms, 5s or 2m");
    }
    long amount;
    try {
      amount = Long.parseLong(matcher.group(1));
    } catch (NumberFormatException tooLong) {
      throw new IllegalArgumentException("'" + text + "' is too long a duration");
    }
    try {
      return switch (matcher.group(2)) {
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        default -> Duration.ofMinutes(amount);
      };
    } catch (ArithmeticException tooLong) {
      throw new IllegalArgumentException("'" + text + "' is too long a duration");
    }
  }

  /** The shortest text in the syntax above that {@link #parse} reads back as {@code duration}, to the millisecond. */
  public static String format(Duration duration) {
    long millis = duration.toMillis();
    if (millis % 60_000 == 0 && millis > 0) {
      return millis / 60_000 + "m";
    }
    return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
  }
}

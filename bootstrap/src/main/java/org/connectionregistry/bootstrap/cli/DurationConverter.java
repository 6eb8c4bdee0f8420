package org.connectionregistry.bootstrap.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads durations as people write them on a command line: {@code 500ms}, {@code 5s}, {@code 2m}. */
public final class DurationConverter implements ITypeConverter<Duration> {

  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m)");

  @Override
  public Duration convert(String value) {
    Matcher matcher = DURATION.matcher(value.strip());
    if (!matcher.matches()) {
      throw new TypeConversionException(
          "'" + value + "' is not a duration; write it like 500ms, 5s or 2m");
    }
    long amount = Long.parseLong(matcher.group(1));
    Duration duration =
        switch (matcher.group(2)) {
          case "ms" -> Duration.ofMillis(amount);
          case "s" -> Duration.ofSeconds(amount);
          default -> Duration.ofMinutes(amount);
        };
    if (duration.isZero()) {
      throw new TypeConversionException("a duration must be longer than zero");
    }
    return duration;
  }
}

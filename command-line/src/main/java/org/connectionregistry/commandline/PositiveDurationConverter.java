package org.connectionregistry.commandline;

import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A picocli option whose duration must be longer than zero (a deadline, a grace period), in the
 * {@link Durations} syntax.
 */
public final class PositiveDurationConverter implements ITypeConverter<Duration> {

  private final DurationConverter durations = new DurationConverter();

  @Override
  public Duration convert(String value) {
    Duration duration = durations.convert(value);
    if (duration.isZero()) {
      throw new TypeConversionException("a duration must be longer than zero");
    }
    return duration;
  }
}

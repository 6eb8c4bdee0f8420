package org.connectionregistry.commandline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

@Feature("Command line")
@Story("Durations")
@DisplayName("Durations: one syntax for every command line")
class DurationsTest {

  @ParameterizedTest(name = "{0} is {1} ms")
  @CsvSource({"500ms, 500", "5s, 5000", "2m, 120000", "' 10 s ', 10000", "0s, 0", "0ms, 0"})
  @DisplayName("a whole number and ms, s or m is a duration:")
  void aWholeNumberAndAUnitIsADuration(String text, long millis) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"soon", "5", "5h", "-5s", "1.5s", "s", ""})
  @DisplayName("anything else is refused with a message that shows how to write one:")
  void anythingElseIsRefusedWithAnExample(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'" + text + "' is not a duration; write it like 500ms, 5s or 2m");
  }

  @Test
  @DisplayName("a number too large for a duration is refused, not wrapped around")
  void aNumberTooLargeIsRefused() {
    assertThatThrownBy(() -> Durations.parse("99999999999999999999m"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("too long a duration");
    assertThatThrownBy(() -> Durations.parse(Long.MAX_VALUE + "m"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("too long a duration");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"1ms", "999ms", "1s", "90s", "2m", "61500ms", "0s"})
  @DisplayName("a duration is printed in the same syntax and reads back as itself:")
  void formatReadsBack(String text) {
    Duration duration = Durations.parse(text);

    assertThat(Durations.parse(Durations.format(duration))).isEqualTo(duration);
    assertThat(Durations.format(duration)).isEqualTo(text);
  }

  @Test
  @DisplayName("an option that takes any duration accepts zero")
  void anyDurationAcceptsZero() {
    assertThat(new DurationConverter().convert("0s")).isZero();
  }

  @Test
  @DisplayName("an option that needs a positive duration refuses zero, in the same syntax")
  void aPositiveDurationRefusesZero() {
    PositiveDurationConverter converter = new PositiveDurationConverter();

    assertThat(converter.convert("5s")).isEqualTo(Duration.ofSeconds(5));
    assertThatThrownBy(() -> converter.convert("0ms"))
        .isInstanceOf(TypeConversionException.class)
        .hasMessage("a duration must be longer than zero");
    assertThatThrownBy(() -> converter.convert("soon"))
        .isInstanceOf(TypeConversionException.class)
        .hasMessage("'soon' is not a duration; write it like 500ms, 5s or 2m");
  }
}

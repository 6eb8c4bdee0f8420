package org.connectionregistry.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

@Feature("Client IDs")
@DisplayName("Client IDs: 1 to 128 letters, digits or _ - . @")
class ClientIdTest {

  @ParameterizedTest(name = "\"{0}\" is a valid client ID")
  @ValueSource(strings = {"1", "user_1", "User_001", "José", "用户7", "Ünal", "a.b-c_d@e", "\uD835\uDC00"})
  @Story("Valid client IDs")
  @DisplayName("letters and digits of any script, and _ - . @, make a valid client ID:")
  void acceptsLettersDigitsOfAnyScriptAndSymbols(String value) {
    assertThat(ClientId.of(value).value()).isEqualTo(value);
    assertThat(ClientId.of(value)).hasToString(value);
  }

  @Test
  @DisplayName("a client ID of exactly 128 characters is accepted")
  @Story("Valid client IDs")
  void accepts128Characters() {
    String longest = "x".repeat(128);

    assertThat(ClientId.of(longest).value()).hasSize(128);
  }

  @Test
  @DisplayName("length counts characters, not UTF-16 units: 128 supplementary letters are accepted")
  @Story("Valid client IDs")
  void lengthCountsCodePoints() {
    String longest = "\uD835\uDC00".repeat(128);

    assertThat(ClientId.of(longest).value()).hasSize(256);
  }

  static Stream<Arguments> invalidIds() {
    return Stream.of(
        Arguments.of("empty", "", "Client ID must not be empty"),
        Arguments.of("null", null, "Client ID must not be empty"),
        Arguments.of("blank", "   ", "has U+0020 at position 1"),
        Arguments.of("tab", "user\t1", "has U+0009 at position 5"),
        Arguments.of("newline", "user_1\n", "has U+000A at position 7"),
        Arguments.of("NUL", "a\0b", "has U+0000 at position 2"),
        Arguments.of("space inside", "user 1", "has U+0020 at position 5"),
        Arguments.of("slash", "a/b", "has '/' (U+002F) at position 2"),
        Arguments.of("129 characters", "x".repeat(129), "Client ID must be at most 128 characters, got 129"));
  }

  @ParameterizedTest(name = "{0} is rejected: {2}")
  @MethodSource("invalidIds")
  @Story("Invalid client IDs are rejected")
  @DisplayName("an invalid client ID is rejected with a message saying what is wrong:")
  void rejectsInvalidIdsSayingWhatIsWrong(String what, String value, String expectedMessage) {
    assertThatThrownBy(() -> ClientId.of(value))
        .isInstanceOf(InvalidClientIdException.class)
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(expectedMessage)
        .hasMessageNotContaining("\n");
  }

  @Test
  @DisplayName("a forbidden character is named with the rule it breaks")
  @Story("Invalid client IDs are rejected")
  void forbiddenCharacterMessageStatesTheRule() {
    assertThatThrownBy(() -> ClientId.of("a/b"))
        .hasMessage("Client ID must contain only letters, digits and _ - . @, but has '/' (U+002F) at position 2");
  }

  @Test
  @DisplayName("client IDs compare like their strings")
  @Story("Valid client IDs")
  void comparesLikeStrings() {
    assertThat(ClientId.of("User_001")).isLessThan(ClientId.of("user_1"));
    assertThat(ClientId.of("a")).isEqualByComparingTo(ClientId.of("a"));
    assertThat(ClientId.of("a")).isEqualTo(ClientId.of("a"));
  }
}

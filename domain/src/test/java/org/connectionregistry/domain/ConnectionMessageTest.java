package org.connectionregistry.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Feature("Sending messages")
@DisplayName("Messages: Hello, Goodbye, and nothing else")
class ConnectionMessageTest {

  @ParameterizedTest(name = "\"{0}\" means Hello and connects")
  @ValueSource(strings = {"Hello", "hello", "HELLO", "hElLo", " Hello ", "\tHello\n"})
  @Story("Hello and Goodbye in any letter case, spaces around ignored")
  @DisplayName("Hello in any letter case, spaces around ignored, connects:")
  void helloInAnyCaseConnects(String message) {
    ConnectionMessage interpreted = ConnectionMessage.interpret(message);

    assertThat(interpreted).isEqualTo(ConnectionMessage.HELLO);
    assertThat(interpreted.resultingStatus()).isEqualTo(ConnectionStatus.CONNECTED);
  }

  @ParameterizedTest(name = "\"{0}\" means Goodbye and disconnects")
  @ValueSource(strings = {"Goodbye", "goodbye", "GOODBYE", "gOoDbYe", "  Goodbye "})
  @Story("Hello and Goodbye in any letter case, spaces around ignored")
  @DisplayName("Goodbye in any letter case, spaces around ignored, disconnects:")
  void goodbyeInAnyCaseDisconnects(String message) {
    ConnectionMessage interpreted = ConnectionMessage.interpret(message);

    assertThat(interpreted).isEqualTo(ConnectionMessage.GOODBYE);
    assertThat(interpreted.resultingStatus()).isEqualTo(ConnectionStatus.DISCONNECTED);
  }

  @ParameterizedTest(name = "\"{0}\" is rejected as an invalid message type")
  @ValueSource(strings = {"Hurrah", "", " ", "Hello!", "Hel lo", "Hello Goodbye", "Bye"})
  @Story("Any other message is rejected")
  @DisplayName("any other message is rejected, quoted as sent:")
  void otherMessagesAreRejectedAsSent(String message) {
    assertThatThrownBy(() -> ConnectionMessage.interpret(message))
        .isInstanceOf(InvalidMessageException.class)
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("Invalid message type: " + message)
        .satisfies(e -> assertThat(((InvalidMessageException) e).rejectedMessage()).isEqualTo(message));
  }

  @Test
  @DisplayName("the words are spelled as the menu shows them")
  @Story("Hello marks a client as connected")
  @Story("Goodbye marks a client as disconnected")
  void wordsAreSpelledAsTheMenuShows() {
    assertThat(ConnectionMessage.HELLO.word()).isEqualTo("Hello");
    assertThat(ConnectionMessage.GOODBYE.word()).isEqualTo("Goodbye");
  }
}

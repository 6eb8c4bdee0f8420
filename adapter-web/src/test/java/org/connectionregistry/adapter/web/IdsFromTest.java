package org.connectionregistry.adapter.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.util.List;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.Random;
import java.util.TreeSet;
import org.connectionregistry.domain.ClientId;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Feature("Observability")
@Story("Live page")
@DisplayName("The filter starts its listing right below the text typed, so nothing at or after it is skipped")
class IdsFromTest {

  private static final String SOME_CHARACTERS = "-.09@AZ_az\u00e9\u00ff\u4e2d\uac00\uffdc\ud835\udc00";

  @ParameterizedTest(name = "prefix {0}")
  @ValueSource(strings = {"user_5", "a", "-", "0", "user-", "\u4e2d", "\uffdc", "x\ud835\udc00", "\uac00\u00e9"})
  @DisplayName("Listing after the start finds the text itself first, if it is an ID")
  void theTextItselfIsTheFirstAfterTheStart(String prefix) {
    Optional<ClientId> start = IdsFrom.startAt(prefix);
    assertThat(start.map(id -> id.compareTo(ClientId.of(prefix)) < 0)).isNotEqualTo(Optional.of(false));
    NavigableSet<String> ids = new TreeSet<>(List.of(prefix, prefix + "1", "0", "-", "zz"));
    String first = start.isEmpty() ? ids.first() : ids.higher(start.get().value());
    assertThat(first).isEqualTo(firstAtOrAfter(ids, prefix));
  }

  @Test
  @DisplayName("No valid client ID lies between the start and the text, among thousands of random IDs")
  void noValidIdLiesBetween() {
    Random random = new Random(13);
    NavigableSet<String> ids = new TreeSet<>();
    for (int i = 0; i < 20_000; i++) {
      ids.add(randomId(random));
    }
    for (int i = 0; i < 2_000; i++) {
      String prefix = randomId(random);
      Optional<ClientId> start = IdsFrom.startAt(prefix);
      String first = start.isEmpty() ? ids.first() : ids.higher(start.get().value());
      assertThat(first).as("first listed for %s", prefix).isEqualTo(firstAtOrAfter(ids, prefix));
    }
  }

  @Test
  @DisplayName("The start is itself a valid client ID of at most 128 characters")
  void theStartIsAValidId() {
    assertThat(IdsFrom.startAt("user_5")).get().satisfies(id -> {
      assertThat(id.value()).startsWith("user_4");
      assertThat(id.value().codePointCount(0, id.value().length())).isEqualTo(ClientId.MAX_LENGTH);
    });
    assertThat(IdsFrom.startAt("ab-")).contains(ClientId.of("ab"));
    assertThat(IdsFrom.startAt("-")).isEmpty();
  }

  private static String firstAtOrAfter(NavigableSet<String> ids, String text) {
    return ids.ceiling(text);
  }

  private static String randomId(Random random) {
    int length = 1 + random.nextInt(4);
    StringBuilder id = new StringBuilder();
    int[] characters = SOME_CHARACTERS.codePoints().toArray();
    for (int i = 0; i < length; i++) {
      id.appendCodePoint(characters[random.nextInt(characters.length)]);
    }
    return id.toString();
  }
}

package org.connectionregistry.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@Feature("Reading status")
@Story("Status of all clients")
@DisplayName("Listing cursor: the one paging rule")
class ListingCursorTest {

  @Test
  @DisplayName("a listing asks for whole pages and ends after the first short one")
  void endsAfterShortPage() {
    List<Integer> asked = new ArrayList<>();
    List<ClientConnection> clients = clients(ListingCursor.PAGE_SIZE + 5);
    List<ClientConnection> seen = new ArrayList<>();

    ListingCursor.forEachPage(
        (after, limit) -> {
          asked.add(limit);
          int from = after.map(id -> Integer.parseInt(id.value().substring(1)) + 1).orElse(0);
          return clients.subList(from, Math.min(from + limit, clients.size()));
        },
        seen::addAll);

    assertThat(asked).containsExactly(ListingCursor.PAGE_SIZE, ListingCursor.PAGE_SIZE);
    assertThat(seen).isEqualTo(clients);
  }

  @Test
  @DisplayName("a caller's limit caps the pages asked for, and the listing ends when it is reached")
  void limitCapsThePages() {
    ListingCursor cursor = ListingCursor.after(Optional.of(ClientId.of("c00000")), 3);

    assertThat(cursor.nextLimit()).isEqualTo(3);
    cursor.advance(clients(4).subList(1, 4));

    assertThat(cursor.ended()).isTrue();
    assertThat(cursor.nextAfter()).contains(ClientId.of("c00003"));
  }

  @Test
  @DisplayName("a limit of 0 lists nothing, and asks for nothing")
  void zeroLimitListsNothing() {
    assertThat(ListingCursor.after(Optional.empty(), 0).ended()).isTrue();
  }

  @Test
  @DisplayName("a page longer than asked for breaks the rule and ends the listing with an error")
  void overlongPageIsRefused() {
    ListingCursor cursor = ListingCursor.fromStart();
    cursor.nextLimit();

    assertThatThrownBy(() -> cursor.advance(clients(ListingCursor.PAGE_SIZE + 1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(String.valueOf(ListingCursor.PAGE_SIZE + 1));
    assertThat(cursor.ended()).isTrue();
  }

  private static List<ClientConnection> clients(int count) {
    List<ClientConnection> clients = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      clients.add(new ClientConnection(ClientId.of(String.format("c%05d", i)), ConnectionStatus.CONNECTED));
    }
    return clients;
  }
}

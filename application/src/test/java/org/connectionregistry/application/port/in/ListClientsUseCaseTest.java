package org.connectionregistry.application.port.in;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.connectionregistry.application.service.ConnectionService;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.InMemoryConnectionRegistry;
import org.connectionregistry.domain.RegistryUnavailableException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** "All clients" a page at a time, as the default of {@link ListClientsUseCase} hands them over. */
@Feature("Reading status")
@Story("Status of all clients")
@DisplayName("Use cases: all clients, page by page")
class ListClientsUseCaseTest {

  private static final int PAGE = ListClientsUseCase.PAGE_SIZE;

  @Test
  @DisplayName("pages come in client-ID order, full but for the last, and together are every client")
  void pagesComeInClientIdOrder() {
    Registered registered = new Registered(2 * PAGE + 3);
    List<List<ClientConnection>> pages = new ArrayList<>();

    registered.forEachClientPage(pages::add);

    assertThat(pages).extracting(List::size).containsExactly(PAGE, PAGE, 3);
    assertThat(pages.stream().flatMap(List::stream).toList())
        .containsExactlyElementsOf(registered.clients);
  }

  @Test
  @DisplayName("a registry of exactly whole pages hands over no empty page after them")
  void noEmptyPageAfterWholePages() {
    Registered registered = new Registered(2 * PAGE);
    List<List<ClientConnection>> pages = new ArrayList<>();

    registered.forEachClientPage(pages::add);

    assertThat(pages).extracting(List::size).containsExactly(PAGE, PAGE);
  }

  @Test
  @DisplayName("an empty registry hands over no page at all")
  void emptyRegistryHandsOverNoPage() {
    List<List<ClientConnection>> pages = new ArrayList<>();

    new Registered(0).forEachClientPage(pages::add);

    assertThat(pages).isEmpty();
  }

  @Test
  @DisplayName("each page after the first starts after the last client of the page before")
  void eachPageStartsAfterThePreviousOne() {
    Registered registered = new Registered(2 * PAGE + 1);

    registered.forEachClientPage(page -> {});

    assertThat(registered.asked)
        .containsExactly(
            Optional.empty(),
            Optional.of(registered.clients.get(PAGE - 1).clientId()),
            Optional.of(registered.clients.get(2 * PAGE - 1).clientId()));
  }

  @Test
  @DisplayName("a page shorter than asked for is the last: no page is asked for after it")
  void shortPageIsTheLast() {
    Registered registered = new Registered(PAGE + 1);

    registered.forEachClientPage(page -> {});

    assertThat(registered.asked).hasSize(2);
  }

  @Test
  @DisplayName("a page that does not start after the one before ends the listing with an error, not a repeat")
  void pageThatRepeatsClientsIsRefused() {
    List<ClientConnection> clients = Registered.clients(PAGE);
    ListClientsUseCase repeating =
        new ListClientsUseCase() {
          @Override
          public List<ClientConnection> listClients() {
            return clients;
          }

          @Override
          public List<ClientConnection> listClientsPage(Optional<ClientId> after, int limit) {
            return clients; // ignores after: the same page again and again
          }
        };
    List<List<ClientConnection>> pages = new ArrayList<>();

    Throwable thrown = catchThrowable(() -> repeating.forEachClientPage(pages::add));

    assertThat(thrown).isInstanceOf(IllegalStateException.class).hasMessageContaining("user_000000");
    assertThat(pages).hasSize(1);
  }

  @Test
  @DisplayName("a registry that fails midway: the pages before stay handed over, the error propagates")
  void failureMidwayPropagatesAfterThePagesBefore() {
    Registered registered = new Registered(3 * PAGE);
    registered.failOnPage = 2;
    List<List<ClientConnection>> pages = new ArrayList<>();

    Throwable thrown = catchThrowable(() -> registered.forEachClientPage(pages::add));

    assertThat(thrown)
        .isInstanceOf(RegistryUnavailableException.class)
        .hasMessage("Registry is down");
    assertThat(pages).hasSize(1);
    assertThat(pages.get(0)).containsExactlyElementsOf(registered.clients.subList(0, PAGE));
  }

  @Test
  @DisplayName("a consumer that throws ends the listing: no further page is read")
  void consumerFailureEndsTheListing() {
    Registered registered = new Registered(3 * PAGE);
    IllegalStateException stop = new IllegalStateException("stop");

    Throwable thrown =
        catchThrowable(
            () ->
                registered.forEachClientPage(
                    page -> {
                      throw stop;
                    }));

    assertThat(thrown).isSameAs(stop);
    assertThat(registered.asked).hasSize(1);
  }

  @Test
  @DisplayName("a use case that only lists everything at once still hands over pages in order")
  void onlyListClientsImplemented() {
    List<ClientConnection> clients = Registered.clients(PAGE + 2);
    ListClientsUseCase everythingAtOnce = () -> clients;
    List<List<ClientConnection>> pages = new ArrayList<>();

    everythingAtOnce.forEachClientPage(pages::add);

    assertThat(pages).extracting(List::size).containsExactly(PAGE, 2);
    assertThat(pages.stream().flatMap(List::stream).toList()).containsExactlyElementsOf(clients);
  }

  @Test
  @DisplayName("the service over the in-memory registry pages through the same list it returns whole")
  void serviceOverTheInMemoryRegistry() {
    InMemoryConnectionRegistry registry = new InMemoryConnectionRegistry();
    // Registered in reverse, so that the order is the listing's doing.
    List<ClientConnection> clients = Registered.clients(PAGE + 7);
    for (int i = clients.size() - 1; i >= 0; i--) {
      registry.record(clients.get(i).clientId(), clients.get(i).status());
    }
    ConnectionService service = new ConnectionService(registry);
    List<ClientConnection> paged = new ArrayList<>();

    service.forEachClientPage(
        page -> {
          assertThat(page).isNotEmpty();
          paged.addAll(page);
        });

    assertThat(paged).isEqualTo(service.listClients());
    assertThat(paged).extracting(ClientConnection::withoutRevision).containsExactlyElementsOf(clients);
  }

  @Test
  @DisplayName("a missing consumer is refused before anything is read")
  void refusesNullConsumer() {
    Registered registered = new Registered(1);

    assertThatNullPointerException().isThrownBy(() -> registered.forEachClientPage(null));
    assertThat(registered.asked).isEmpty();
  }

  /** A registry of given clients, read only through listClientsPage, which notes every call. */
  private static final class Registered implements ListClientsUseCase {
    final List<ClientConnection> clients;
    final List<Optional<ClientId>> asked = new ArrayList<>();
    /** 1-based number of the listClientsPage call that fails; 0 for none. */
    int failOnPage;

    Registered(int count) {
      this.clients = clients(count);
    }

    static List<ClientConnection> clients(int count) {
      List<ClientConnection> clients = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        clients.add(
            new ClientConnection(
                ClientId.of(String.format("user_%06d", i)),
                i % 3 == 0 ? ConnectionStatus.DISCONNECTED : ConnectionStatus.CONNECTED));
      }
      return clients;
    }

    @Override
    public List<ClientConnection> listClients() {
      throw new AssertionError("the default reads pages, not the whole list");
    }

    @Override
    public List<ClientConnection> listClientsPage(Optional<ClientId> after, int limit) {
      asked.add(after);
      if (asked.size() == failOnPage) {
        throw new RegistryUnavailableException("Registry is down");
      }
      int from = 0;
      if (after.isPresent()) {
        while (from < clients.size() && clients.get(from).clientId().compareTo(after.get()) <= 0) {
          from++;
        }
      }
      return List.copyOf(clients.subList(from, Math.min(from + limit, clients.size())));
    }
  }
}

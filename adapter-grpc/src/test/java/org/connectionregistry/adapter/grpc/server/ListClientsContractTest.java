package org.connectionregistry.adapter.grpc.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.ManagedChannel;
import io.grpc.ServerBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.connectionregistry.adapter.grpc.Loopback;
import org.connectionregistry.application.service.ConnectionService;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.InMemoryConnectionRegistry;
import org.connectionregistry.proto.ClientServiceGrpc;
import org.connectionregistry.proto.ClientStatusRequest;
import org.connectionregistry.proto.ListClientsRequest;
import org.connectionregistry.proto.ListClientsResponse;
import org.connectionregistry.proto.ListedClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The ListClients call as a grpcurl user or another client sees it: every client, in client-ID
 * order, in bounded pages. Subclasses choose the transport.
 */
// Allure reads labels of inherited test methods from the class only: they are set here.
@Feature("Reading status")
@Story("Status of all clients")
abstract class ListClientsContractTest {

  /** Enough clients for two full pages and a part page. */
  private static final int MANY = 2 * ClientServiceEndpoint.LISTING_PAGE_SIZE + 17;

  private static final ConnectionStatus CONNECTED = ConnectionStatus.CONNECTED;
  private static final ConnectionStatus DISCONNECTED = ConnectionStatus.DISCONNECTED;

  private InMemoryConnectionRegistry registry;
  private GrpcServer server;
  private ManagedChannel channel;

  protected abstract ServerBuilder<?> newServerBuilder();

  protected abstract ManagedChannel newChannel(GrpcServer server);

  @BeforeEach
  void startServer() throws IOException {
    registry = new InMemoryConnectionRegistry();
    ConnectionService service = new ConnectionService(registry);
    server =
        new GrpcServer(newServerBuilder(), new ClientServiceEndpoint(service, service, service))
            .start();
    channel = newChannel(server);
  }

  @AfterEach
  void stopServer() throws InterruptedException {
    Loopback.close(channel);
    server.stop(Duration.ZERO);
  }

  @Test
  @DisplayName("ListClients on an empty registry lists no clients and ends the call")
  void anEmptyRegistryListsNoClientsAndEndsTheCall() {
    List<ListClientsResponse> pages = list(ListClientsRequest.getDefaultInstance());

    assertThat(clientsOf(pages)).isEmpty();
  }

  @Test
  @DisplayName("ListClients sends every client once, in client-ID order, with its status, across many pages")
  void everyClientComesOnceInClientIdOrderWithItsStatusAcrossManyPages() {
    List<String> expected = new ArrayList<>();
    // Registered out of order, so the order must be the server's doing.
    for (int i = MANY - 1; i >= 0; i--) {
      String id = String.format("client-%06d", i);
      registry.record(ClientId.of(id), i % 3 == 0 ? DISCONNECTED : CONNECTED);
    }
    for (int i = 0; i < MANY; i++) {
      String label = i % 3 == 0 ? "disconnected" : "connected";
      expected.add(String.format("client-%06d", i) + "=" + label);
    }

    List<ListClientsResponse> pages = list(ListClientsRequest.getDefaultInstance());

    assertThat(clientsOf(pages))
        .extracting(client -> client.getClientId() + "=" + client.getStatus())
        .containsExactlyElementsOf(expected);
    assertThat(pages).hasSizeGreaterThanOrEqualTo(3);
    assertThat(pages)
        .allSatisfy(
            page ->
                assertThat(page.getClientsCount())
                    .isBetween(1, ClientServiceEndpoint.LISTING_PAGE_SIZE));
  }

  @Test
  @DisplayName("ListClients orders IDs in any script as the registry orders them")
  void idsInAnyScriptAreOrderedAsTheRegistryOrdersThem() {
    List<String> ids = List.of("Zoë", "user_1", "ユーザー", "a.b@c", "User-2", "ä");
    ids.forEach(id -> registry.record(ClientId.of(id), CONNECTED));

    assertThat(clientsOf(list(ListClientsRequest.getDefaultInstance())))
        .extracting(ListedClient::getClientId)
        .containsExactlyElementsOf(ids.stream().sorted().toList());
  }

  @Test
  @DisplayName("ListClients after a client ID starts after that ID, even if it is not registered")
  void afterClientIdStartsAfterThatIdEvenIfItIsNotRegistered() {
    for (String id : List.of("a", "b", "c", "d")) {
      registry.record(ClientId.of(id), CONNECTED);
    }

    assertThat(ids(ListClientsRequest.newBuilder().setAfterClientId("b").build()))
        .containsExactly("c", "d");
    assertThat(ids(ListClientsRequest.newBuilder().setAfterClientId("bb").build()))
        .containsExactly("c", "d");
    assertThat(ids(ListClientsRequest.newBuilder().setAfterClientId("d").build())).isEmpty();
  }

  @Test
  @DisplayName("ListClients with a limit sends at most that many clients, even across pages")
  void limitCapsHowManyClientsComeEvenAcrossPages() {
    for (int i = 0; i < MANY; i++) {
      registry.record(ClientId.of(String.format("c%05d", i)), CONNECTED);
    }
    int limit = ClientServiceEndpoint.LISTING_PAGE_SIZE + 3;

    List<String> ids = ids(ListClientsRequest.newBuilder().setLimit(limit).build());
    List<String> rest =
        ids(ListClientsRequest.newBuilder().setAfterClientId(ids.get(ids.size() - 1)).build());

    assertThat(ids).hasSize(limit).startsWith("c00000").endsWith(String.format("c%05d", limit - 1));
    assertThat(rest).hasSize(MANY - limit).startsWith(String.format("c%05d", limit));
  }

  @Test
  @DisplayName("ListClients after an invalid client ID is INVALID_ARGUMENT, saying why")
  void anInvalidAfterClientIdIsInvalidArgumentSayingWhy() {
    StatusRuntimeException error =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> list(ListClientsRequest.newBuilder().setAfterClientId("a b").build()));

    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(error.getStatus().getDescription())
        .startsWith("Client ID must contain only letters, digits");
  }

  @Test
  @DisplayName("the legacy GetClientStatus(\"\") still answers every client in one message")
  void theLegacyCallStillAnswersEveryClientInOneMessage() {
    registry.record(ClientId.of("a"), CONNECTED);
    registry.record(ClientId.of("b"), DISCONNECTED);

    assertThat(
            ClientServiceGrpc.newBlockingStub(channel)
                .getClientStatus(ClientStatusRequest.getDefaultInstance())
                .getStatusesMap())
        .containsExactlyInAnyOrderEntriesOf(Map.of("a", "connected", "b", "disconnected"));
  }

  private List<ListClientsResponse> list(ListClientsRequest request) {
    List<ListClientsResponse> pages = new ArrayList<>();
    ClientServiceGrpc.newBlockingStub(channel).listClients(request).forEachRemaining(pages::add);
    return pages;
  }

  private List<String> ids(ListClientsRequest request) {
    return clientsOf(list(request)).stream().map(ListedClient::getClientId).toList();
  }

  private static List<ListedClient> clientsOf(List<ListClientsResponse> pages) {
    return pages.stream().flatMap(page -> page.getClientsList().stream()).toList();
  }
}

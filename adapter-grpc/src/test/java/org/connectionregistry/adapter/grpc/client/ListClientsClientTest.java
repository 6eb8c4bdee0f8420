package org.connectionregistry.adapter.grpc.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.connectionregistry.adapter.grpc.client.ScriptedServers.page;
import static org.connectionregistry.adapter.grpc.client.ScriptedServers.streamingServer;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.adapter.grpc.Loopback;
import org.connectionregistry.adapter.grpc.client.ScriptedServers.LegacyServer;
import org.connectionregistry.adapter.grpc.server.ClientServiceEndpoint;
import org.connectionregistry.adapter.grpc.server.GrpcServer;
import org.connectionregistry.application.port.in.RemoteCallFailedException;
import org.connectionregistry.application.service.ConnectionService;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.InMemoryConnectionRegistry;
import org.connectionregistry.proto.ListClientsResponse;
import org.connectionregistry.proto.ListedClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * "All clients" as the client adapter reads them: through ListClients from our server, through
 * GetClientStatus("") from a server that predates ListClients, over Netty on 127.0.0.1.
 */
@DisplayName("gRPC client adapter: all clients from our server and from older ones")
class ListClientsClientTest {

  private static final Duration DEADLINE = Duration.ofSeconds(10);
  /** A default channel's limit on one inbound message. */
  private static final int DEFAULT_LIMIT = 4 * 1024 * 1024;

  private final InMemoryConnectionRegistry registry = new InMemoryConnectionRegistry();
  private GrpcServer ourServer;
  private Server foreignServer;
  private ManagedChannel channel;

  @AfterEach
  void closeEverything() throws InterruptedException {
    Loopback.close(channel);
    if (ourServer != null) {
      ourServer.stop(Duration.ZERO);
    }
    if (foreignServer != null) {
      foreignServer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  @Feature("Reading status")
  @Story("Status of all clients")
  @DisplayName("our server lists many pages of clients, in client-ID order")
  void ourServerListsManyPagesOfClientsInClientIdOrder() throws IOException {
    int count = 3 * ClientServiceEndpoint.LISTING_PAGE_SIZE + 5;
    List<ClientConnection> expected = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ClientConnection client =
          new ClientConnection(
              ClientId.of(String.format("user-%05d", i)),
              i % 2 == 0 ? ConnectionStatus.CONNECTED : ConnectionStatus.DISCONNECTED);
      expected.add(client);
    }
    // Registered in reverse, so that the order is the listing's doing.
    for (int i = count - 1; i >= 0; i--) {
      registry.record(expected.get(i).clientId(), expected.get(i).status());
    }

    assertThat(clientOf(startOurServer()).listClients()).containsExactlyElementsOf(expected);
  }

  @Test
  @Feature("Reading status")
  @Story("Status of all clients")
  @DisplayName("our server with no clients lists none")
  void ourServerWithNoClientsListsNone() throws IOException {
    assertThat(clientOf(startOurServer()).listClients()).isEmpty();
  }

  @Test
  @Feature("Reading status")
  @Story("Status of all clients")
  @DisplayName("a page of clients starts after the given ID and holds at most the limit")
  void aPageOfClientsStartsAfterTheGivenIdAndHoldsAtMostTheLimit() throws IOException {
    for (String id : List.of("a", "b", "c", "d", "e")) {
      registry.record(ClientId.of(id), ConnectionStatus.CONNECTED);
    }
    GrpcConnectionClient client = clientOf(startOurServer());

    assertThat(client.listClientsPage(Optional.of(ClientId.of("b")), 2))
        .extracting(connection -> connection.clientId().value())
        .containsExactly("c", "d");
    assertThat(client.listClientsPage(Optional.empty(), 10)).hasSize(5);
  }

  @Test
  @Feature("Compatibility")
  @Story("Servers other than ours")
  @DisplayName("a server without ListClients is asked the legacy way, and its answer is sorted")
  void aServerWithoutListClientsIsAskedTheLegacyWayAndItsAnswerSorted() throws IOException {
    LegacyServer legacy = new LegacyServer(Map.of("b", "disconnected", "a", "connected"));
    startForeign(legacy.definition());

    List<ClientConnection> clients =
        clientOf(Loopback.channelTo(foreignServer.getPort())).listClients();

    assertThat(clients)
        .containsExactly(
            new ClientConnection(ClientId.of("a"), ConnectionStatus.CONNECTED),
            new ClientConnection(ClientId.of("b"), ConnectionStatus.DISCONNECTED));
    assertThat(legacy.allClientsAsked).hasValue(1);
  }

  @Test
  @Feature("Compatibility")
  @Story("Servers other than ours")
  @DisplayName("a legacy answer larger than 4 MiB is accepted when the channel allows it")
  void aLegacyAnswerLargerThanFourMebibytesIsAcceptedWhenTheChannelAllowsIt() throws IOException {
    Map<String, String> statuses = new LinkedHashMap<>();
    for (int i = 0; i < 200_000; i++) {
      statuses.put(String.format("client-%07d", i), i % 5 == 0 ? "disconnected" : "connected");
    }
    LegacyServer legacy = new LegacyServer(statuses);
    // The premise: this answer is more than a default channel accepts.
    assertThat(legacy.answer.getSerializedSize()).isGreaterThan(DEFAULT_LIMIT);
    startForeign(legacy.definition());
    channel =
        NettyChannelBuilder.forAddress(Loopback.HOST, foreignServer.getPort())
            .usePlaintext()
            .maxInboundMessageSize(64 * 1024 * 1024)
            .build();

    List<ClientConnection> clients = clientOf(channel).listClients();

    assertThat(clients).hasSize(200_000);
    assertThat(clients.get(0))
        .isEqualTo(connection("client-0000000", ConnectionStatus.DISCONNECTED));
    assertThat(clients.get(199_999))
        .isEqualTo(connection("client-0199999", ConnectionStatus.CONNECTED));
  }

  @Test
  @Feature("Console client")
  @Story("Server unavailable")
  @DisplayName("a server that stops sending pages is unavailable after the deadline")
  void aServerThatStopsSendingPagesIsUnavailableAfterTheDeadline() throws IOException {
    ListedClient first = ListedClient.newBuilder().setClientId("a").setStatus("connected").build();
    startForeign(
        streamingServer(
            responses ->
                // One page, then silence: the call is never ended.
                responses.onNext(ListClientsResponse.newBuilder().addClients(first).build())));
    channel = Loopback.channelTo(foreignServer.getPort());
    GrpcConnectionClient client =
        new GrpcConnectionClient(channel, "slow-host:1", Duration.ofMillis(200));

    RemoteCallFailedException error =
        catchThrowableOfType(RemoteCallFailedException.class, client::listClients);

    assertThat(error).hasMessage("Server slow-host:1 is unavailable (no answer within 200ms)");
  }

  @Test
  @Feature("Compatibility")
  @Story("Servers other than ours")
  @DisplayName("pages out of order from another server are sorted")
  void pagesOutOfOrderFromAnotherServerAreSorted() throws IOException {
    startForeign(
        streamingServer(
            responses -> {
              responses.onNext(page("c", "connected", "a", "disconnected"));
              responses.onNext(page("b", "Connected"));
              responses.onCompleted();
            }));

    assertThat(clientOf(Loopback.channelTo(foreignServer.getPort())).listClients())
        .containsExactly(
            new ClientConnection(ClientId.of("a"), ConnectionStatus.DISCONNECTED),
            new ClientConnection(ClientId.of("b"), ConnectionStatus.CONNECTED),
            new ClientConnection(ClientId.of("c"), ConnectionStatus.CONNECTED));
  }

  @Test
  @Feature("Compatibility")
  @Story("Servers other than ours")
  @DisplayName("a listed client ID our rules refuse is an error naming it")
  void aListedClientIdOurRulesRefuseIsARemoteCallErrorNamingIt() throws IOException {
    startForeign(
        streamingServer(
            responses -> {
              responses.onNext(page("ok", "connected", "not ok", "connected"));
              responses.onCompleted();
            }));

    RemoteCallFailedException error =
        catchThrowableOfType(
            RemoteCallFailedException.class,
            clientOf(Loopback.channelTo(foreignServer.getPort()))::listClients);

    assertThat(error.getMessage())
        .startsWith("Server foreign-host:1 lists a client ID this client cannot show ('not ok')");
  }

  private static ClientConnection connection(String id, ConnectionStatus status) {
    return new ClientConnection(ClientId.of(id), status);
  }

  private GrpcConnectionClient clientOf(ManagedChannel newChannel) {
    channel = newChannel;
    return new GrpcConnectionClient(newChannel, "foreign-host:1", DEADLINE);
  }

  private ManagedChannel startOurServer() throws IOException {
    ConnectionService service = new ConnectionService(registry);
    ClientServiceEndpoint endpoint = new ClientServiceEndpoint(service, service, service);
    ourServer = new GrpcServer(Loopback.serverBuilder(), endpoint).start();
    return Loopback.channelTo(ourServer.port());
  }

  private void startForeign(ServerServiceDefinition service) throws IOException {
    foreignServer =
        NettyServerBuilder.forAddress(new InetSocketAddress(Loopback.HOST, 0))
            .addService(service)
            .build()
            .start();
  }
}

package org.connectionregistry.adapter.grpc.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.connectionregistry.adapter.grpc.client.ScriptedServers.page;
import static org.connectionregistry.adapter.grpc.client.ScriptedServers.streamingServer;

import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.connectionregistry.adapter.grpc.Loopback;
import org.connectionregistry.adapter.grpc.client.ScriptedServers.LegacyServer;
import org.connectionregistry.adapter.grpc.server.ClientServiceEndpoint;
import org.connectionregistry.adapter.grpc.server.GrpcServer;
import org.connectionregistry.application.port.in.ListClientsUseCase;
import org.connectionregistry.application.port.in.RemoteCallFailedException;
import org.connectionregistry.application.service.ConnectionService;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.InMemoryConnectionRegistry;
import org.connectionregistry.domain.RegistryUnavailableException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * "All clients" handed over page by page, as the console prints them: in order, one page at a
 * time on the caller's thread, the next asked for only once the last was taken.
 *
 * <p>Most tests run in process, where the server may send a page only once the client asked for
 * it, so how far the server has read can be checked exactly, without any timing.
 */
@Feature("Reading status")
@Story("Status of all clients")
@DisplayName("gRPC client adapter: all clients, page by page")
class ListClientsPagesTest {

  private static final Duration DEADLINE = Duration.ofSeconds(10);
  private static final int PAGE = ClientServiceEndpoint.LISTING_PAGE_SIZE;
  private static final String TARGET = "registry-host:1";

  private final InMemoryConnectionRegistry registry = new InMemoryConnectionRegistry();
  private final ConnectionService service = new ConnectionService(registry);
  private final List<Server> servers = new ArrayList<>();
  private GrpcServer nettyServer;
  private ManagedChannel channel;

  @AfterEach
  void closeEverything() throws InterruptedException {
    Loopback.close(channel);
    for (Server server : servers) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (nettyServer != null) {
      nettyServer.stop(Duration.ZERO);
    }
  }

  @Test
  @DisplayName("pages arrive in client-ID order, one at a time: the server reads a page only once"
      + " the one before has been taken")
  void pagesArriveInOrderOneAtATime() throws IOException {
    List<ClientConnection> expected = register(3 * PAGE + 5);
    AtomicInteger pagesRead = new AtomicInteger();
    GrpcConnectionClient client =
        clientOf(inProcess(new CountingListClients(service, pagesRead, 0)));
    Thread caller = Thread.currentThread();
    List<List<ClientConnection>> pages = new ArrayList<>();

    client.forEachClientPage(
        page -> {
          // While a page is being taken, the server has read that page and no further one.
          assertThat(pagesRead).hasValue(pages.size() + 1);
          assertThat(Thread.currentThread()).isSameAs(caller);
          pages.add(page);
        });

    assertThat(pages).extracting(List::size).containsExactly(PAGE, PAGE, PAGE, 5);
    assertThat(pages.stream().flatMap(List::stream).toList()).containsExactlyElementsOf(expected);
  }

  @Test
  @DisplayName("over Netty on 127.0.0.1, pages arrive in client-ID order on the caller's thread")
  void overNettyPagesArriveInOrderOnTheCallersThread() throws IOException {
    List<ClientConnection> expected = register(2 * PAGE + PAGE / 2);
    ClientServiceEndpoint endpoint = new ClientServiceEndpoint(service, service, service);
    nettyServer = new GrpcServer(Loopback.serverBuilder(), endpoint).start();
    GrpcConnectionClient client = clientOf(Loopback.channelTo(nettyServer.port()));
    Thread caller = Thread.currentThread();
    List<List<ClientConnection>> pages = new ArrayList<>();

    client.forEachClientPage(
        page -> {
          assertThat(Thread.currentThread()).isSameAs(caller);
          pages.add(page);
        });

    assertThat(pages).extracting(List::size).containsExactly(PAGE, PAGE, PAGE / 2);
    assertThat(pages.stream().flatMap(List::stream).toList()).containsExactlyElementsOf(expected);
    assertThat(client.listClients()).containsExactlyElementsOf(expected);
  }

  @Test
  @DisplayName("an empty registry hands over no page")
  void emptyRegistryHandsOverNoPage() throws IOException {
    GrpcConnectionClient client =
        clientOf(inProcess(new ClientServiceEndpoint(service, service, service)));
    List<List<ClientConnection>> pages = new ArrayList<>();

    client.forEachClientPage(pages::add);

    assertThat(pages).isEmpty();
  }

  @Test
  @DisplayName("a store that fails midway: the pages before stay handed over, then the server is"
      + " unavailable, naming the reason")
  void failureMidStreamComesAfterThePagesBefore() throws IOException {
    List<ClientConnection> expected = register(4 * PAGE);
    AtomicInteger pagesRead = new AtomicInteger();
    GrpcConnectionClient client =
        clientOf(inProcess(new CountingListClients(service, pagesRead, 3)));
    List<List<ClientConnection>> pages = new ArrayList<>();

    Throwable thrown = catchThrowable(() -> client.forEachClientPage(pages::add));

    assertThat(thrown)
        .isInstanceOf(RegistryUnavailableException.class)
        .hasMessage("Server " + TARGET + " is unavailable (" + CountingListClients.DOWN + ")");
    assertThat(pages.stream().flatMap(List::stream).toList())
        .containsExactlyElementsOf(expected.subList(0, 2 * PAGE));
  }

  @Test
  @DisplayName("a consumer that throws ends the listing: the call is cancelled, the error its own")
  void consumerFailureCancelsTheCall() throws IOException, InterruptedException {
    register(3 * PAGE);
    AtomicInteger pagesRead = new AtomicInteger();
    CountDownLatch cancelled = new CountDownLatch(1);
    GrpcConnectionClient client =
        clientOf(
            inProcess(
                ServerInterceptors.intercept(
                    new ClientServiceEndpoint(
                        service, service, new CountingListClients(service, pagesRead, 0)),
                    noticingCancellation(cancelled))));
    IllegalStateException stop = new IllegalStateException("the console went away");

    Throwable thrown =
        catchThrowable(
            () ->
                client.forEachClientPage(
                    page -> {
                      throw stop;
                    }));

    assertThat(thrown).isSameAs(stop);
    assertThat(cancelled.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(pagesRead).hasValue(1);
  }

  @Test
  @DisplayName("a server without ListClients is asked the legacy way, and its answer handed over"
      + " sorted, in pages")
  @Feature("Compatibility")
  @Story("Servers other than ours")
  void legacyServerAnswerIsHandedOverSortedInPages() throws IOException {
    List<ClientConnection> expected = new ArrayList<>();
    Map<String, String> statuses = new LinkedHashMap<>();
    int count = 2 * PAGE + 3;
    for (int i = 0; i < count; i++) {
      ConnectionStatus status = i % 4 == 0 ? ConnectionStatus.DISCONNECTED : ConnectionStatus.CONNECTED;
      expected.add(new ClientConnection(ClientId.of(String.format("user-%05d", i)), status));
    }
    // Put into the answer in an order of its own, so that the sorting is the client's doing.
    for (int i = 0; i < count; i++) {
      ClientConnection client = expected.get((int) ((i * 7919L) % count));
      statuses.put(client.clientId().value(), client.status().label());
    }
    LegacyServer legacy = new LegacyServer(statuses);
    GrpcConnectionClient client = clientOf(inProcess(legacy.definition()));
    List<List<ClientConnection>> pages = new ArrayList<>();

    client.forEachClientPage(pages::add);

    assertThat(pages)
        .extracting(List::size)
        .containsExactly(ListClientsUseCase.PAGE_SIZE, ListClientsUseCase.PAGE_SIZE, 3);
    assertThat(pages.stream().flatMap(List::stream).toList()).containsExactlyElementsOf(expected);
    assertThat(legacy.allClientsAsked).hasValue(1);
  }

  @Test
  @DisplayName("a page asked of a legacy server is cut from one download of its whole list")
  @Feature("Compatibility")
  @Story("Servers other than ours")
  void aPageOfALegacyServerIsCutFromOneDownload() throws IOException {
    LegacyServer legacy =
        new LegacyServer(
            Map.of(
                "e", "connected",
                "c", "disconnected",
                "a", "connected",
                "d", "connected",
                "b", "disconnected"));
    GrpcConnectionClient client = clientOf(inProcess(legacy.definition()));

    List<ClientConnection> afterB = client.listClientsPage(Optional.of(ClientId.of("b")), 2);
    List<ClientConnection> afterUnlisted =
        client.listClientsPage(Optional.of(ClientId.of("bb")), 10);
    List<ClientConnection> afterLast = client.listClientsPage(Optional.of(ClientId.of("e")), 10);

    assertThat(afterB)
        .containsExactly(
            new ClientConnection(ClientId.of("c"), ConnectionStatus.DISCONNECTED),
            new ClientConnection(ClientId.of("d"), ConnectionStatus.CONNECTED));
    assertThat(afterUnlisted)
        .extracting(connection -> connection.clientId().value())
        .containsExactly("c", "d", "e");
    assertThat(afterLast).isEmpty();
    assertThat(legacy.allClientsAsked).as("downloads, one per page asked").hasValue(3);
  }

  @Test
  @DisplayName("a page asked of a server that ignores the limit holds only the clients asked for")
  @Feature("Compatibility")
  @Story("Servers other than ours")
  void aPageOfAServerThatIgnoresTheLimitHoldsOnlyWhatWasAsked() throws IOException {
    GrpcConnectionClient client =
        clientOf(
            inProcess(
                streamingServer(
                    responses -> {
                      // Every client, whatever was asked.
                      responses.onNext(page("a", "connected", "b", "connected"));
                      responses.onNext(page("c", "disconnected", "d", "connected"));
                      responses.onCompleted();
                    })));

    List<ClientConnection> page = client.listClientsPage(Optional.of(ClientId.of("a")), 2);

    assertThat(page)
        .containsExactly(
            new ClientConnection(ClientId.of("b"), ConnectionStatus.CONNECTED),
            new ClientConnection(ClientId.of("c"), ConnectionStatus.DISCONNECTED));
  }

  @Test
  @DisplayName("a legacy server with nobody registered hands over no page")
  @Feature("Compatibility")
  @Story("Servers other than ours")
  void emptyLegacyServerHandsOverNoPage() throws IOException {
    GrpcConnectionClient client =
        clientOf(inProcess(new LegacyServer(Map.of()).definition()));
    List<List<ClientConnection>> pages = new ArrayList<>();

    client.forEachClientPage(pages::add);

    assertThat(pages).isEmpty();
  }

  @Test
  @DisplayName("a server that lists a client on two pages breaks the contract, naming the client")
  @Feature("Compatibility")
  @Story("Servers other than ours")
  void aClientOnTwoPagesIsARemoteCallError() throws IOException {
    GrpcConnectionClient client =
        clientOf(
            inProcess(
                streamingServer(
                    responses -> {
                      responses.onNext(page("a", "connected", "b", "connected"));
                      responses.onNext(page("b", "disconnected", "c", "connected"));
                      responses.onCompleted();
                    })));
    List<List<ClientConnection>> pages = new ArrayList<>();

    Throwable thrown = catchThrowable(() -> client.forEachClientPage(pages::add));

    assertThat(thrown)
        .isInstanceOf(RemoteCallFailedException.class)
        .hasMessage("Server " + TARGET + " listed client b twice");
    assertThat(pages).hasSize(1);
  }

  @Test
  @DisplayName("a server whose pages go backwards breaks the contract after the pages before")
  @Feature("Compatibility")
  @Story("Servers other than ours")
  void pagesOutOfOrderAcrossPagesAreARemoteCallError() throws IOException {
    GrpcConnectionClient client =
        clientOf(
            inProcess(
                streamingServer(
                    responses -> {
                      responses.onNext(page("d", "connected", "c", "connected"));
                      responses.onNext(page("a", "disconnected"));
                      responses.onCompleted();
                    })));
    List<List<ClientConnection>> pages = new ArrayList<>();

    Throwable thrown = catchThrowable(() -> client.forEachClientPage(pages::add));

    assertThat(thrown)
        .isInstanceOf(RemoteCallFailedException.class)
        .hasMessage("Server " + TARGET + " listed client a after d, out of client-ID order");
    // The first page, sorted within itself, was handed over before the second broke the order.
    assertThat(pages)
        .containsExactly(
            List.of(
                new ClientConnection(ClientId.of("c"), ConnectionStatus.CONNECTED),
                new ClientConnection(ClientId.of("d"), ConnectionStatus.CONNECTED)));
    // Collected, the same answer can still be sorted.
    assertThat(client.listClients())
        .extracting(connection -> connection.clientId().value())
        .containsExactly("a", "c", "d");
  }

  @Test
  @DisplayName("a server that stops sending pages is unavailable after the deadline, the pages"
      + " before handed over")
  @Feature("Console client")
  @Story("Server unavailable")
  void aStalledStreamIsUnavailableAfterThePagesBefore() throws IOException {
    channel =
        inProcess(
            streamingServer(
                // One page, then silence: the call is never ended.
                responses -> responses.onNext(page("a", "connected"))));
    GrpcConnectionClient client = new GrpcConnectionClient(channel, TARGET, Duration.ofMillis(200));
    List<List<ClientConnection>> pages = new ArrayList<>();

    Throwable thrown = catchThrowable(() -> client.forEachClientPage(pages::add));

    assertThat(thrown)
        .isInstanceOf(RemoteCallFailedException.class)
        .hasMessage("Server " + TARGET + " is unavailable (no answer within 200ms)");
    assertThat(pages).hasSize(1);
  }

  private List<ClientConnection> register(int count) {
    List<ClientConnection> clients = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      clients.add(
          new ClientConnection(
              ClientId.of(String.format("user-%06d", i)),
              i % 3 == 0 ? ConnectionStatus.DISCONNECTED : ConnectionStatus.CONNECTED));
    }
    // Registered in reverse, so that the order is the listing's doing.
    for (int i = count - 1; i >= 0; i--) {
      registry.record(clients.get(i).clientId(), clients.get(i).status());
    }
    return clients;
  }

  private GrpcConnectionClient clientOf(ManagedChannel newChannel) {
    channel = newChannel;
    return new GrpcConnectionClient(newChannel, TARGET, DEADLINE);
  }

  private ManagedChannel inProcess(io.grpc.BindableService service) throws IOException {
    return inProcess(service.bindService());
  }

  private ManagedChannel inProcess(ServerServiceDefinition service) throws IOException {
    String name = InProcessServerBuilder.generateName();
    servers.add(
        InProcessServerBuilder.forName(name).directExecutor().addService(service).build().start());
    return InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  private ManagedChannel inProcess(ListClientsUseCase listClients) throws IOException {
    return inProcess(new ClientServiceEndpoint(service, service, listClients));
  }

  private static ServerInterceptor noticingCancellation(CountDownLatch cancelled) {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(
          ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        return new SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
          @Override
          public void onCancel() {
            cancelled.countDown();
            super.onCancel();
          }
        };
      }
    };
  }

  /** Counts the pages the server reads through the use case; fails on a given one if asked. */
  private record CountingListClients(ConnectionService service, AtomicInteger pagesRead, int failOn)
      implements ListClientsUseCase {

    static final String DOWN = "Redis at 10.0.0.5:6379 is unavailable: connection reset";

    @Override
    public List<ClientConnection> listClients() {
      return service.listClients();
    }

    @Override
    public List<ClientConnection> listClientsPage(Optional<ClientId> after, int limit) {
      if (pagesRead.incrementAndGet() == failOn) {
        throw new RegistryUnavailableException(DOWN);
      }
      return service.listClientsPage(after, limit);
    }
  }
}

package org.connectionregistry.adapter.grpc.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.connectionregistry.application.port.in.ListClientsUseCase;
import org.connectionregistry.application.service.ConnectionService;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.InMemoryConnectionRegistry;
import org.connectionregistry.proto.ClientServiceGrpc;
import org.connectionregistry.proto.ListClientsRequest;
import org.connectionregistry.proto.ListClientsResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A reader that takes pages slowly is never flooded: the server reads a page from the registry
 * only once the reader has room for it. In-process, where "room" is exactly the pages the reader
 * asked for, so the bound can be checked without any timing.
 */
@DisplayName("ListClients: paced by gRPC flow control")
class ListClientsFlowControlTest {

  private static final int PAGES = 10;

  private final String name = InProcessServerBuilder.generateName();
  private final AtomicInteger pagesRead = new AtomicInteger();
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws IOException {
    InMemoryConnectionRegistry registry = new InMemoryConnectionRegistry();
    for (int i = 0; i < PAGES * ClientServiceEndpoint.LISTING_PAGE_SIZE; i++) {
      registry.record(ClientId.of("c" + i), ConnectionStatus.CONNECTED);
    }
    ConnectionService service = new ConnectionService(registry);
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(
                new ClientServiceEndpoint(
                    service, service, new CountingListClients(service, pagesRead)))
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  @Feature("Reading status")
  @Story("Status of all clients")
  @DisplayName("the server reads no more pages from the registry than the reader has asked for")
  void theServerReadsNoMorePagesThanTheReaderHasAskedFor() throws InterruptedException {
    SlowReader reader = new SlowReader();
    ClientServiceGrpc.newStub(channel).listClients(ListClientsRequest.getDefaultInstance(), reader);

    reader.awaitPages(1);
    assertThat(pagesRead).hasValue(1);

    reader.call.request(2);
    reader.awaitPages(2);
    assertThat(pagesRead).hasValue(3);

    reader.call.request(PAGES);
    assertThat(reader.finished.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(reader.clients).hasValue(PAGES * ClientServiceEndpoint.LISTING_PAGE_SIZE);
  }

  /** Asks for one page at first, then only for what the test requests. */
  private static final class SlowReader
      implements ClientResponseObserver<ListClientsRequest, ListClientsResponse> {
    final Semaphore pages = new Semaphore(0);
    final AtomicInteger clients = new AtomicInteger();
    final CountDownLatch finished = new CountDownLatch(1);
    volatile ClientCallStreamObserver<ListClientsRequest> call;

    @Override
    public void beforeStart(ClientCallStreamObserver<ListClientsRequest> requestStream) {
      call = requestStream;
      requestStream.disableAutoRequestWithInitial(1);
    }

    @Override
    public void onNext(ListClientsResponse page) {
      clients.addAndGet(page.getClientsCount());
      pages.release();
    }

    @Override
    public void onError(Throwable t) {
      finished.countDown();
    }

    @Override
    public void onCompleted() {
      finished.countDown();
    }

    void awaitPages(int count) throws InterruptedException {
      assertThat(pages.tryAcquire(count, 10, TimeUnit.SECONDS)).isTrue();
    }
  }

  /** Counts the pages the server reads through the use case. */
  private record CountingListClients(ConnectionService service, AtomicInteger pagesRead)
      implements ListClientsUseCase {

    @Override
    public List<ClientConnection> listClients() {
      return service.listClients();
    }

    @Override
    public List<ClientConnection> listClientsPage(Optional<ClientId> after, int limit) {
      pagesRead.incrementAndGet();
      return service.listClientsPage(after, limit);
    }
  }
}

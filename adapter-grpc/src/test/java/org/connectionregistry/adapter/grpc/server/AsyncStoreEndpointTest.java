package org.connectionregistry.adapter.grpc.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.adapter.grpc.Loopback;
import org.connectionregistry.application.service.ConnectionService;
import org.connectionregistry.domain.ChangeFeed;
import org.connectionregistry.domain.ChangeReason;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientCounts;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionRegistry;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.InMemoryConnectionRegistry;
import org.connectionregistry.domain.RegistryUnavailableException;
import org.connectionregistry.proto.ClientServiceGrpc;
import org.connectionregistry.proto.ClientStatusRequest;
import org.connectionregistry.proto.ListClientsRequest;
import org.connectionregistry.proto.ListClientsResponse;
import org.connectionregistry.proto.MessageRequest;
import org.connectionregistry.proto.MessageResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The endpoint over a store that answers later, on its own threads, as the file and Redis stores
 * do. The server runs its handlers on Netty's event loop (direct executor), as in production, so
 * a handler that waited for the store would hold up every other call on the loop.
 */
@Feature("Server")
@Story("No thread waits for the store")
@DisplayName("gRPC service over a store that answers later")
class AsyncStoreEndpointTest {

  private final Executor later =
      CompletableFuture.delayedExecutor(2, TimeUnit.MILLISECONDS);
  private GrpcServer server;
  private ManagedChannel channel;

  @AfterEach
  void closeEverything() throws InterruptedException {
    Loopback.close(channel);
    if (server != null) {
      server.stop(Duration.ZERO);
    }
  }

  @Test
  @DisplayName("while 200 SendMessage calls wait for a held store, another call is answered; then all 200 succeed")
  void heldWritesDoNotHoldUpOtherCalls() throws Exception {
    HeldStore store = new HeldStore();
    serve(store);
    ClientServiceGrpc.ClientServiceFutureStub stub = ClientServiceGrpc.newFutureStub(channel);
    List<ListenableFuture<MessageResponse>> held = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      held.add(stub.sendMessage(hello("held_" + i)));
    }
    store.awaitHeld(200);

    // Every handler has returned and no response has gone out: yet the loop answers at once.
    assertThat(held).noneMatch(ListenableFuture::isDone);
    assertThat(
            ClientServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(5, TimeUnit.SECONDS)
                .getClientStatus(ClientStatusRequest.newBuilder().setClientId("known").build())
                .getStatusesMap())
        .containsEntry("known", "connected");

    store.release();
    for (int i = 0; i < 200; i++) {
      assertThat(held.get(i).get(10, TimeUnit.SECONDS).getInfo())
          .isEqualTo("Client held_" + i + " marked as connected.");
    }
  }

  @Test
  @DisplayName("ListClients over pages that come later on another thread streams every client in order")
  void listingOverLatePagesStreamsEveryClient() {
    InMemoryConnectionRegistry memory = new InMemoryConnectionRegistry();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3 * ClientServiceEndpoint.LISTING_PAGE_SIZE + 7; i++) {
      ids.add(String.format("user_%05d", i));
      memory.record(ClientId.of(ids.get(i)), ConnectionStatus.CONNECTED);
    }
    serve(new LateStore(memory, later));

    List<String> listed = new ArrayList<>();
    ClientServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(20, TimeUnit.SECONDS)
        .listClients(ListClientsRequest.getDefaultInstance())
        .forEachRemaining((ListClientsResponse page) -> page.getClientsList().forEach(c -> listed.add(c.getClientId())));

    assertThat(listed).isEqualTo(ids);
  }

  @Test
  @DisplayName("a store that fails later: the call is UNAVAILABLE with the store's message")
  void lateFailureIsUnavailable() {
    serve(new LateStore(new FailingStore(), later));

    StatusRuntimeException error =
        catchThrowableOfType(
            () -> ClientServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS).sendMessage(hello("user_1")),
            StatusRuntimeException.class);

    assertThat(error.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.UNAVAILABLE);
    assertThat(error.getStatus().getDescription()).isEqualTo("Store X is down");
  }

  private void serve(ConnectionRegistry registry) {
    ConnectionService service = new ConnectionService(registry);
    server =
        new GrpcServer(
            NettyServerBuilder.forAddress(new InetSocketAddress(Loopback.HOST, 0)).directExecutor(),
            new ClientServiceEndpoint(service, service, service));
    try {
      server.start();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    channel = Loopback.channelTo(server.port());
  }

  private static MessageRequest hello(String id) {
    return MessageRequest.newBuilder().setClientId(id).setMessage("Hello").build();
  }

  /** Holds every write until released; reads answer at once. One client, "known", is there. */
  private static final class HeldStore extends Delegating {
    private final CompletableFuture<Void> gate = new CompletableFuture<>();
    private final java.util.concurrent.atomic.AtomicInteger held = new java.util.concurrent.atomic.AtomicInteger();

    HeldStore() {
      super(new InMemoryConnectionRegistry());
      delegate.record(ClientId.of("known"), ConnectionStatus.CONNECTED);
    }

    @Override
    public CompletionStage<ClientConnection> record(
        ClientId clientId, ConnectionStatus status, ChangeReason reason) {
      held.incrementAndGet();
      return gate.thenCompose(open -> delegate.record(clientId, status, reason));
    }

    void awaitHeld(int count) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (held.get() < count) {
        assertThat(System.nanoTime()).as("%d writes reached the store", count).isLessThan(deadline);
        Thread.sleep(5);
      }
    }

    void release() {
      CompletableFuture.runAsync(() -> gate.complete(null));
    }
  }

  /** Answers every call on another thread, a moment later. */
  private static final class LateStore extends Delegating {
    private final Executor later;

    LateStore(ConnectionRegistry delegate, Executor later) {
      super(delegate);
      this.later = later;
    }

    @Override
    public CompletionStage<ClientConnection> record(
        ClientId clientId, ConnectionStatus status, ChangeReason reason) {
      return delegate.record(clientId, status, reason).thenApplyAsync(done -> done, later);
    }

    @Override
    public CompletionStage<Optional<ConnectionStatus>> statusOf(ClientId clientId) {
      return delegate.statusOf(clientId).thenApplyAsync(status -> status, later);
    }

    @Override
    public CompletionStage<List<ClientConnection>> list(Optional<ClientId> after, int limit) {
      return delegate.list(after, limit).thenApplyAsync(page -> page, later);
    }
  }

  private static final class FailingStore extends Delegating {
    FailingStore() {
      super(new InMemoryConnectionRegistry());
    }

    @Override
    public CompletionStage<ClientConnection> record(
        ClientId clientId, ConnectionStatus status, ChangeReason reason) {
      return CompletableFuture.failedStage(new RegistryUnavailableException("Store X is down"));
    }
  }

  private abstract static class Delegating implements ConnectionRegistry {
    final ConnectionRegistry delegate;

    Delegating(ConnectionRegistry delegate) {
      this.delegate = delegate;
    }

    @Override
    public CompletionStage<ClientConnection> record(
        ClientId clientId, ConnectionStatus status, ChangeReason reason) {
      return delegate.record(clientId, status, reason);
    }

    @Override
    public CompletionStage<ClientCounts> counts() {
      return delegate.counts();
    }

    @Override
    public ChangeFeed changes() {
      return delegate.changes();
    }

    @Override
    public CompletionStage<Optional<ConnectionStatus>> statusOf(ClientId clientId) {
      return delegate.statusOf(clientId);
    }

    @Override
    public CompletionStage<List<ClientConnection>> list(Optional<ClientId> after, int limit) {
      return delegate.list(after, limit);
    }

    @Override
    public boolean isAvailable() {
      return delegate.isAvailable();
    }

    @Override
    public void close() {
      delegate.close();
    }

    @Override
    public String toString() {
      return "Test store";
    }
  }
}

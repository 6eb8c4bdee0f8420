package org.connectionregistry.adapter.grpc.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.adapter.grpc.Loopback;
import org.connectionregistry.application.port.in.SendMessageUseCase;
import org.connectionregistry.application.service.ConnectionService;
import org.connectionregistry.domain.InMemoryConnectionRegistry;
import org.connectionregistry.proto.ClientServiceGrpc;
import org.connectionregistry.proto.MessageRequest;
import org.connectionregistry.proto.MessageResponse;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@Feature("Server")
@DisplayName("gRPC server: health, reflection, start and stop")
class GrpcServerTest {

  private static final String ALL_SERVICES = "";
  private static final String CLIENT_SERVICE = "client_service.ClientService";

  private final ConnectionService service = new ConnectionService(new InMemoryConnectionRegistry());
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final CountDownLatch releaseBlockedCalls = new CountDownLatch(1);
  private GrpcServer server;

  @AfterEach
  void closeEverything() throws InterruptedException {
    releaseBlockedCalls.countDown();
    for (ManagedChannel channel : channels) {
      Loopback.close(channel);
    }
    if (server != null) {
      server.stop(Duration.ZERO);
    }
  }

  @Test
  @DisplayName("started on port zero it listens on the port the system chose")
  @Story("Starting and stopping")
  void startedOnPortZeroItListensOnThePortTheSystemChose() throws IOException {
    server = start(service);

    assertThat(server.port()).isPositive();
    assertThat(send(channel(), "user_1", "Hello").getInfo())
        .isEqualTo("Client user_1 marked as connected.");
  }

  @Test
  @DisplayName("health is SERVING for the server and the client service once started")
  @Story("Health and reflection")
  void healthIsServingForTheServerAndTheClientServiceOnceStarted() throws IOException {
    server = start(service);
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel());

    assertThat(check(health, ALL_SERVICES)).isEqualTo(ServingStatus.SERVING);
    assertThat(check(health, CLIENT_SERVICE)).isEqualTo(ServingStatus.SERVING);
  }

  @Test
  @DisplayName("health follows what the registry reports about its store")
  @Story("Health and reflection")
  void healthFollowsWhatTheRegistryReportsAboutItsStore() throws IOException {
    server = start(service);
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel());

    server.setServing(false);
    ServingStatus whileDown = check(health, CLIENT_SERVICE);
    ServingStatus overallWhileDown = check(health, ALL_SERVICES);
    server.setServing(true);

    assertThat(whileDown).isEqualTo(ServingStatus.NOT_SERVING);
    assertThat(overallWhileDown).isEqualTo(ServingStatus.NOT_SERVING);
    assertThat(check(health, CLIENT_SERVICE)).isEqualTo(ServingStatus.SERVING);
  }

  @Test
  @DisplayName("a store reported down before start is NOT_SERVING once started")
  @Story("Health and reflection")
  void aStoreReportedDownBeforeStartIsNotServingOnceStarted() throws IOException {
    server =
        new GrpcServer(
            Loopback.serverBuilder(), new ClientServiceEndpoint(service, service, service));
    server.setServing(false);
    server.start();

    assertThat(check(HealthGrpc.newBlockingStub(channel()), CLIENT_SERVICE))
        .isEqualTo(ServingStatus.NOT_SERVING);
  }

  @Test
  @DisplayName("health watchers see NOT_SERVING as soon as stop begins")
  @Story("Starting and stopping")
  void healthWatchersSeeNotServingAsSoonAsStopBegins() throws Exception {
    server = start(service);
    HealthGrpc.HealthStub health = HealthGrpc.newStub(channel());
    BlockingQueue<Object> overall = watch(health, ALL_SERVICES);
    BlockingQueue<Object> clientService = watch(health, CLIENT_SERVICE);
    assertThat(overall.poll(10, TimeUnit.SECONDS)).isEqualTo(ServingStatus.SERVING);
    assertThat(clientService.poll(10, TimeUnit.SECONDS)).isEqualTo(ServingStatus.SERVING);

    // The watches are calls in flight: stop waits out the grace period, then cancels them.
    CompletableFuture<Void> stopping =
        CompletableFuture.runAsync(() -> server.stop(Duration.ofMillis(500)));

    assertThat(overall.poll(10, TimeUnit.SECONDS)).isEqualTo(ServingStatus.NOT_SERVING);
    assertThat(clientService.poll(10, TimeUnit.SECONDS)).isEqualTo(ServingStatus.NOT_SERVING);
    stopping.get(10, TimeUnit.SECONDS);
    assertThat(overall.poll(10, TimeUnit.SECONDS)).isInstanceOf(StatusRuntimeException.class);
  }

  @Test
  @DisplayName("stop lets a call in flight finish but refuses new ones")
  @Story("Starting and stopping")
  void stopLetsACallInFlightFinishButRefusesNewOnes() throws Exception {
    CountDownLatch callArrived = new CountDownLatch(1);
    SendMessageUseCase slowSend =
        command -> {
          callArrived.countDown();
          awaitRelease();
          return service.sendMessage(command);
        };
    server = start(new ClientServiceEndpoint(slowSend, service, service));
    ManagedChannel channel = channel();
    ListenableFuture<MessageResponse> inFlight =
        ClientServiceGrpc.newFutureStub(channel)
            .sendMessage(
                MessageRequest.newBuilder().setClientId("slow").setMessage("Hello").build());
    assertThat(callArrived.await(10, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Void> stopping =
        CompletableFuture.runAsync(() -> server.stop(Duration.ofSeconds(20)));
    StatusRuntimeException refused = awaitRefusal(channel);
    releaseBlockedCalls.countDown();

    assertThat(refused.getStatus().getCode())
        .as(codeAndDescription(refused))
        .isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(inFlight.get(10, TimeUnit.SECONDS).getInfo())
        .isEqualTo("Client slow marked as connected.");
    stopping.get(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("stop can be called again and from several threads at once")
  @Story("Starting and stopping")
  void stopCanBeCalledAgainAndFromSeveralThreadsAtOnce() throws Exception {
    server = start(service);

    CompletableFuture<Void> hook =
        CompletableFuture.runAsync(() -> server.stop(Duration.ofSeconds(1)));
    server.stop(Duration.ofSeconds(1));
    hook.get(10, TimeUnit.SECONDS);

    assertThatCode(() -> server.stop(Duration.ZERO)).doesNotThrowAnyException();
    assertThatCode(server::awaitTermination).doesNotThrowAnyException();
  }

  @Test
  @DisplayName("reflection lists the client service and serves its descriptor")
  @Story("Health and reflection")
  void reflectionListsTheClientServiceAndServesItsDescriptor() throws Exception {
    server = start(service);
    ServerReflectionGrpc.ServerReflectionStub reflection =
        ServerReflectionGrpc.newStub(channel());

    ServerReflectionResponse listed =
        reflect(reflection, ServerReflectionRequest.newBuilder().setListServices("*").build());
    ServerReflectionResponse described =
        reflect(
            reflection,
            ServerReflectionRequest.newBuilder().setFileContainingSymbol(CLIENT_SERVICE).build());

    assertThat(listed.getListServicesResponse().getServiceList())
        .extracting(ServiceResponse::getName)
        .contains(CLIENT_SERVICE, "grpc.health.v1.Health");
    FileDescriptorProto file =
        FileDescriptorProto.parseFrom(
            described.getFileDescriptorResponse().getFileDescriptorProto(0));
    assertThat(file.getPackage()).isEqualTo("client_service");
    assertThat(file.getServiceList())
        .singleElement()
        .extracting(ServiceDescriptorProto::getMethodList)
        .asInstanceOf(InstanceOfAssertFactories.list(MethodDescriptorProto.class))
        .extracting(MethodDescriptorProto::getName)
        .containsExactly("SendMessage", "GetClientStatus", "ListClients", "Connect", "CountClients", "Watch");
  }

  private GrpcServer start(ConnectionService useCases) throws IOException {
    return start(new ClientServiceEndpoint(useCases, useCases, useCases));
  }

  private GrpcServer start(ClientServiceEndpoint endpoint) throws IOException {
    return new GrpcServer(Loopback.serverBuilder(), endpoint).start();
  }

  private ManagedChannel channel() {
    ManagedChannel channel = Loopback.channelTo(server.port());
    channels.add(channel);
    return channel;
  }

  private void awaitRelease() {
    try {
      releaseBlockedCalls.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static MessageResponse send(ManagedChannel channel, String clientId, String message) {
    return ClientServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .sendMessage(MessageRequest.newBuilder().setClientId(clientId).setMessage(message).build());
  }

  /** New calls fail once shutdown has begun; poll until one does. */
  private static StatusRuntimeException awaitRefusal(ManagedChannel channel)
      throws InterruptedException {
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < giveUp) {
      StatusRuntimeException refusal =
          catchThrowableOfType(
              StatusRuntimeException.class,
              () ->
                  HealthGrpc.newBlockingStub(channel)
                      .withDeadlineAfter(5, TimeUnit.SECONDS)
                      .check(HealthCheckRequest.getDefaultInstance()));
      if (refusal != null) {
        return refusal;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("the server kept accepting new calls after stop began");
  }

  private static ServingStatus check(HealthGrpc.HealthBlockingStub health, String service) {
    return health
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .check(HealthCheckRequest.newBuilder().setService(service).build())
        .getStatus();
  }

  /** Every status the watch reports, then the error that ends it. */
  private static BlockingQueue<Object> watch(HealthGrpc.HealthStub health, String service) {
    BlockingQueue<Object> seen = new LinkedBlockingQueue<>();
    health.watch(
        HealthCheckRequest.newBuilder().setService(service).build(),
        new StreamObserver<>() {
          @Override
          public void onNext(HealthCheckResponse response) {
            seen.add(response.getStatus());
          }

          @Override
          public void onError(Throwable t) {
            seen.add(t);
          }

          @Override
          public void onCompleted() {
            seen.add("completed");
          }
        });
    return seen;
  }

  private static ServerReflectionResponse reflect(
      ServerReflectionGrpc.ServerReflectionStub reflection, ServerReflectionRequest request)
      throws Exception {
    CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests =
        reflection.serverReflectionInfo(
            new StreamObserver<>() {
              @Override
              public void onNext(ServerReflectionResponse response) {
                answer.complete(response);
              }

              @Override
              public void onError(Throwable t) {
                answer.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {
                answer.completeExceptionally(new AssertionError("no answer"));
              }
            });
    requests.onNext(request);
    requests.onCompleted();
    return answer.get(10, TimeUnit.SECONDS);
  }

  /** What came back, as one string: {@code INVALID_ARGUMENT: Invalid message type: Hurrah}. */
  private static String codeAndDescription(StatusRuntimeException error) {
    return error == null
        ? "no error: the call succeeded"
        : error.getStatus().getCode() + ": " + error.getStatus().getDescription();
  }
}

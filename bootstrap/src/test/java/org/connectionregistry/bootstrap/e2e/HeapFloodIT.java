package org.connectionregistry.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.io.File;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.connectionregistry.proto.ClientServiceGrpc;
import org.connectionregistry.proto.ClientStatusRequest;
import org.connectionregistry.proto.MessageRequest;
import org.connectionregistry.proto.MessageResponse;
import org.connectionregistry.testsupport.FreePort;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attack of issue 12 against the real jar with a small heap: unique 128-character client IDs,
 * as fast as the server takes them.
 */
@Feature("Security")
@Story("Limits that hold")
@DisplayName("A flood of new client IDs against a small heap")
class HeapFloodIT {

  @TempDir Path dir;
  private Process server;
  private ManagedChannel channel;

  @AfterEach
  void stop() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("with the default cap, new IDs end in RESOURCE_EXHAUSTED; known IDs and health keep answering")
  void withTheDefaultCapNewIdsEndInResourceExhausted() throws Exception {
    int port = start("-Xmx48m");
    ClientServiceGrpc.ClientServiceBlockingStub stub =
        ClientServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
    stub.sendMessage(MessageRequest.newBuilder().setClientId("known_1").setMessage("Hello").build());

    Flood flood = flood(200_000);

    assertThat(flood.refusal.get()).as("the first refusal of a new ID").isNotNull();
    assertThat(flood.refusal.get().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(flood.refusal.get().getDescription()).contains("the registry already holds its maximum of");
    assertThat(server.isAlive()).isTrue();
    ClientServiceGrpc.ClientServiceBlockingStub later =
        ClientServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
    assertThat(later.sendMessage(MessageRequest.newBuilder().setClientId("known_1").setMessage("Goodbye").build()).getInfo())
        .isEqualTo("Client known_1 marked as disconnected.");
    assertThat(HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance()).getStatus())
        .isEqualTo(ServingStatus.SERVING);
    // Every acknowledged ID is still there.
    for (String id : flood.sample()) {
      assertThat(later.getClientStatus(ClientStatusRequest.newBuilder().setClientId(id).build()).getStatusesMap())
          .containsEntry(id, "connected");
    }
    assertThat(port).isPositive();
  }

  @Test
  @DisplayName("without a cap, the server exits when its heap runs out instead of hanging with its port open")
  void withoutACapTheServerExitsWhenItsHeapRunsOut() throws Exception {
    int port = start("-Xmx48m", "--max-clients", "0");

    flood(2_000_000);

    assertThat(server.waitFor(60, TimeUnit.SECONDS)).as("the server exited").isTrue();
    assertThat(server.exitValue()).isEqualTo(3);
    assertThat(Files.readString(dir.resolve("server.err"))).contains("connection-server: exiting: ");
    assertThat(portIsClosed(port)).isTrue();
  }

  private int start(String heap, String... options) throws IOException, InterruptedException {
    int port = FreePort.onLoopback();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add(heap);
    command.add("-jar");
    command.add(Processes.serverJar().toString());
    command.addAll(List.of("--host", "127.0.0.1", "--port", String.valueOf(port)));
    command.addAll(List.of(options));
    File out = dir.resolve("server.out").toFile();
    server =
        new ProcessBuilder(command)
            .redirectOutput(out)
            .redirectError(dir.resolve("server.err").toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!Files.readString(out.toPath()).contains("Server is starting on port " + port)) {
      assertThat(server.isAlive()).as("the server is running").isTrue();
      assertThat(System.nanoTime()).as("the server started in time").isLessThan(deadline);
      Thread.sleep(50);
    }
    channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    return port;
  }

  /** What a flood saw: the first refusal of a new ID, and some IDs that were acknowledged. */
  private static final class Flood {
    final AtomicReference<Status> refusal = new AtomicReference<>();
    final ConcurrentHashMap<Long, String> acknowledged = new ConcurrentHashMap<>();

    List<String> sample() {
      return acknowledged.values().stream().limit(50).toList();
    }
  }

  /** Sends up to {@code count} new IDs, 64 at a time, until one is refused or the server is gone. */
  private Flood flood(int count) throws InterruptedException {
    Flood flood = new Flood();
    Semaphore inFlight = new Semaphore(64);
    AtomicLong failures = new AtomicLong();
    ClientServiceGrpc.ClientServiceStub stub = ClientServiceGrpc.newStub(channel);
    for (long i = 0; i < count && flood.refusal.get() == null && failures.get() < 64; i++) {
      inFlight.acquire();
      long number = i;
      String id = idNumber(number);
      stub.withDeadlineAfter(10, TimeUnit.SECONDS)
          .sendMessage(
              MessageRequest.newBuilder().setClientId(id).setMessage("Hello").build(),
              new StreamObserver<MessageResponse>() {
                @Override
                public void onNext(MessageResponse response) {
                  if (number % 1000 == 0) {
                    flood.acknowledged.put(number, id);
                  }
                }

                @Override
                public void onError(Throwable error) {
                  Status status = Status.fromThrowable(error);
                  if (status.getCode() == Status.Code.RESOURCE_EXHAUSTED) {
                    flood.refusal.compareAndSet(null, status);
                  } else {
                    failures.incrementAndGet();
                  }
                  inFlight.release();
                }

                @Override
                public void onCompleted() {
                  inFlight.release();
                }
              });
    }
    inFlight.acquire(64);
    return flood;
  }

  private static String idNumber(long number) {
    String prefix = "flood_" + number + "_";
    return prefix + "x".repeat(128 - prefix.length());
  }

  private static boolean portIsClosed(int port) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }
}

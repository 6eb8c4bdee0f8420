package org.connectionregistry.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import io.grpc.stub.StreamObserver;
import org.connectionregistry.adapter.store.redis.testing.RedisCluster;
import org.connectionregistry.adapter.store.redis.testing.RedisServer;
import org.connectionregistry.proto.ClientServiceGrpc;
import org.connectionregistry.proto.ClientStatusRequest;
import org.connectionregistry.proto.MessageRequest;
import org.connectionregistry.proto.MessageResponse;
import org.connectionregistry.testsupport.FreePort;
import org.connectionregistry.testsupport.ServerProcess;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server on each storage engine, as an operator runs it: restarts, crashes, shared state, outages. */
@Feature("Storage")
class StoreScenariosIT {

  /** How long health may take to follow the store. */
  private static final Duration HEALTH_WITHIN = Duration.ofSeconds(15);

  @TempDir Path directory;

  @Test
  @DisplayName("with --store file:, every acknowledged Hello survives kill -9 and a restart")
  @Story("File store")
  void fileStoreSurvivesKill9() throws Exception {
    String store = "file:" + directory.resolve("registry.db");
    int clients = 40;
    List<String> script = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      script.addAll(List.of("1", "user_" + i, "Hello"));
    }
    script.addAll(List.of("1", "user_0", "Goodbye", "3"));

    try (ServerProcess first = Servers.start("--store", store)) {
      ClientRun run = ClientRun.against(first.target(), script.toArray(String[]::new));
      assertThat(run.answers().stream().filter(line -> line.startsWith("Server Response:")))
          .hasSize(clients + 1);
    } // close() kills the server with SIGKILL: no shutdown hook, no final commit

    try (ServerProcess second = Servers.start("--store", store)) {
      ClientRun listing = ClientRun.against(second.target(), "2", "", "3");
      List<String> statuses =
          listing.answers().stream().filter(line -> line.startsWith("Client ID: ")).toList();
      assertThat(statuses).hasSize(clients).contains("Client ID: user_0, Status: disconnected");
      for (int i = 1; i < clients; i++) {
        assertThat(statuses).contains("Client ID: user_" + i + ", Status: connected");
      }
    }
  }

  @Test
  @DisplayName("with --store file:, 256 Hellos sent at once share group commits, and every one acknowledged survives kill -9")
  @Story("File store")
  void groupCommittedHellosSurviveKill9() throws Exception {
    String store = "file:" + directory.resolve("group.db");
    int clients = 256;
    List<String> acknowledged = java.util.Collections.synchronizedList(new ArrayList<>());
    try (ServerProcess first = Servers.start("--store", store)) {
      ManagedChannel channel = ManagedChannelBuilder.forTarget(first.target()).usePlaintext().build();
      try {
        ClientServiceGrpc.ClientServiceStub stub = ClientServiceGrpc.newStub(channel);
        java.util.concurrent.CountDownLatch half = new java.util.concurrent.CountDownLatch(clients / 2);
        for (int i = 0; i < clients; i++) {
          String id = "burst_" + i;
          stub.withDeadlineAfter(30, TimeUnit.SECONDS)
              .sendMessage(
                  MessageRequest.newBuilder().setClientId(id).setMessage("Hello").build(),
                  new StreamObserver<MessageResponse>() {
                    @Override
                    public void onNext(MessageResponse response) {
                      acknowledged.add(id);
                    }

                    @Override
                    public void onError(Throwable t) {}

                    @Override
                    public void onCompleted() {
                      half.countDown();
                    }
                  });
        }
        assertThat(half.await(30, TimeUnit.SECONDS)).as("half the Hellos acknowledged").isTrue();
      } finally {
        first.close(); // SIGKILL while the rest may still be on their way
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
    List<String> acked = List.copyOf(acknowledged);
    assertThat(acked).hasSizeGreaterThanOrEqualTo(clients / 2);

    try (ServerProcess second = Servers.start("--store", store)) {
      ManagedChannel channel = ManagedChannelBuilder.forTarget(second.target()).usePlaintext().build();
      try {
        java.util.Map<String, String> statuses =
            ClientServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .getClientStatus(ClientStatusRequest.newBuilder().setClientId("").build())
                .getStatusesMap();
        for (String id : acked) {
          assertThat(statuses).as("acknowledged %s", id).containsEntry(id, "connected");
        }
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  @DisplayName("--store redis-cluster://: a Hello through one server is read through another; a master killed: "
      + "UNAVAILABLE within the deadline, then answers again by themselves")
  @Story("Redis Cluster store")
  void redisClusterServesAndFailsOver() throws Exception {
    try (RedisCluster cluster = RedisCluster.start();
        ServerProcess one = Servers.start("--store", cluster.uri());
        ServerProcess other = Servers.start("--store", cluster.uri())) {
      ClientRun.against(one.target(), "1", "cluster_user", "Hello", "3");
      assertThat(ClientRun.against(other.target(), "2", "cluster_user", "3").answers())
          .contains("Client ID: cluster_user, Status: connected");

      ManagedChannel channel = ManagedChannelBuilder.forTarget(one.target()).usePlaintext().build();
      try {
        ClientServiceGrpc.ClientServiceBlockingStub stub = ClientServiceGrpc.newBlockingStub(channel);
        // Every master is killed in turn would be slow; one is enough: kill the one that holds
        // cluster_user's bucket, so its calls are the ones that must fail and recover.
        cluster.masterOfClient("cluster_user").kill();
        long killedAt = System.nanoTime();
        List<String> codes = new ArrayList<>();
        while (System.nanoTime() - killedAt < TimeUnit.SECONDS.toNanos(60)) {
          long start = System.nanoTime();
          try {
            stub.withDeadlineAfter(5, TimeUnit.SECONDS)
                .sendMessage(MessageRequest.newBuilder().setClientId("cluster_user").setMessage("Goodbye").build());
            break;
          } catch (io.grpc.StatusRuntimeException e) {
            codes.add(e.getStatus().getCode() + ": " + e.getStatus().getDescription());
            assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.UNAVAILABLE);
            assertThat(e.getStatus().getDescription()).startsWith("Redis Cluster at 127.0.0.1:");
          }
          assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
          Thread.sleep(50);
        }
        io.qameta.allure.Allure.addAttachment("failover",
            "answered again " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt)
                + " ms after the kill; failures: " + codes);
        assertThat(ClientRun.against(other.target(), "2", "cluster_user", "3").answers())
            .contains("Client ID: cluster_user, Status: disconnected");
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  @DisplayName("two servers on one Redis: a Hello sent to one is read from the other at once")
  @Story("Redis store")
  void twoServersShareRedis() throws Exception {
    try (RedisServer redis = RedisServer.start();
        ServerProcess one = Servers.start("--store", redis.uri());
        ServerProcess other = Servers.start("--store", redis.uri())) {
      ClientRun.against(one.target(), "1", "shared_user", "Hello", "3");

      ClientRun read = ClientRun.against(other.target(), "2", "shared_user", "3");

      assertThat(read.answers()).contains("Client ID: shared_user, Status: connected");
    }
  }

  @Test
  @DisplayName("Redis stopped mid-run: calls fail as unavailable and health says NOT_SERVING; "
      + "Redis back: calls succeed again without restarting the server")
  @Story("Store outages")
  void redisOutageAndRecovery() throws Exception {
    try (RedisServer redis = RedisServer.start();
        ServerProcess server = Servers.start("--store", redis.uri())) {
      ManagedChannel channel = ManagedChannelBuilder.forTarget(server.target()).usePlaintext().build();
      try {
        ClientRun.against(server.target(), "1", "before", "Hello", "3");

        redis.stop();
        ClientRun during = ClientRun.against(server.target(), "1", "during", "Hello", "2", "before", "3");
        assertThat(during.answers().stream().filter(line -> line.contains("unavailable")))
            .hasSize(2)
            .allSatisfy(line -> assertThat(line).contains("Redis at 127.0.0.1"));
        ServingHealth.await(channel, ServingStatus.NOT_SERVING, HEALTH_WITHIN);
        assertThat(server.isAlive()).isTrue();

        redis.restart();
        ServingHealth.await(channel, ServingStatus.SERVING, HEALTH_WITHIN);
        ClientRun after = ClientRun.against(server.target(), "1", "after", "Hello", "2", "after", "3");
        assertThat(after.answers())
            .contains(
                "Server Response: Client after marked as connected.",
                "Client ID: after, Status: connected");
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  @DisplayName("a bad --store value stops the server at start-up with one clear line")
  @Story("Choosing a store")
  void badStoreValue() throws Exception {
    ServerExit failure = startExpectingFailure("--store", "postgres://somewhere");

    assertThat(failure.exitCode()).isEqualTo(2);
    assertThat(failure.output())
        .startsWith("connection-server: Invalid value for option '--store': 'postgres://somewhere' is not a store")
        .doesNotContain("\tat ");
  }

  @Test
  @DisplayName("an unwritable store path stops the server at start-up with one clear line")
  @Story("Choosing a store")
  void unwritablePath() throws Exception {
    Path missing = directory.resolve("no-such-directory").resolve("registry.db");

    ServerExit failure = startExpectingFailure("--store", "file:" + missing);

    assertThat(failure.exitCode()).isEqualTo(1);
    assertThat(failure.output().strip())
        .isEqualTo("connection-server: Cannot open store file " + missing + ": directory "
            + missing.getParent() + " does not exist");
  }

  @Test
  @DisplayName("a corrupt store file stops the server at start-up with one clear line, and is left as it was")
  @Story("Choosing a store")
  void corruptFile() throws Exception {
    Path file = directory.resolve("registry.db");
    byte[] garbage = "this is not a registry\n".repeat(300).getBytes(StandardCharsets.UTF_8);
    Files.write(file, garbage);

    ServerExit failure = startExpectingFailure("--store", "file:" + file);

    assertThat(failure.exitCode()).isEqualTo(1);
    assertThat(failure.output().strip().lines()).hasSize(1);
    assertThat(failure.output()).contains("Cannot open store file " + file + ": it is not a valid store file");
    assertThat(Files.readAllBytes(file)).isEqualTo(garbage);
  }

  @Test
  @DisplayName("Redis not reachable at start-up stops the server with one clear line naming it")
  @Story("Store outages")
  void redisDownAtStart() throws Exception {
    int port = FreePort.onLoopback();

    ServerExit failure = startExpectingFailure("--store", "redis://127.0.0.1:" + port);

    assertThat(failure.exitCode()).isEqualTo(1);
    assertThat(failure.output().strip())
        .startsWith("connection-server: Redis at 127.0.0.1:" + port + " is unavailable");
  }

  /** Starts a server on 127.0.0.1 with {@code args}, expecting it to fail and exit. */
  private static ServerExit startExpectingFailure(String... args) throws Exception {
    List<String> all =
        new ArrayList<>(List.of("--host", "127.0.0.1", "--port", String.valueOf(FreePort.onLoopback())));
    all.addAll(List.of(args));
    return ServerExit.of(all.toArray(String[]::new));
  }
}

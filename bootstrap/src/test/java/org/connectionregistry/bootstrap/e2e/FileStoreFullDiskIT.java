package org.connectionregistry.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.adapter.store.file.testing.SmallDisk;
import org.connectionregistry.proto.ClientServiceGrpc;
import org.connectionregistry.proto.ClientStatusRequest;
import org.connectionregistry.proto.MessageRequest;
import org.connectionregistry.testsupport.ServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server with {@code --store file:} on a disk that really fills up: a {@link SmallDisk}
 * mounted for the test and filled with a ballast file. Mounting needs root (CI runs as root);
 * where the mount is refused, the test is skipped with the reason.
 */
@Feature("Storage")
@Story("Store outages")
@DisplayName("The server on a file store whose disk fills up, and then has room again")
class FileStoreFullDiskIT {

  private static final String PADDING = "x".repeat(100);

  /** How long health may take to follow the disk. */
  private static final Duration HEALTH_WITHIN = Duration.ofSeconds(20);

  @TempDir Path directory;
  private SmallDisk disk;

  @BeforeEach
  void mountSmallDisk() throws Exception {
    disk = SmallDisk.mountIn(directory);
  }

  @AfterEach
  void unmount() throws Exception {
    if (disk != null) {
      disk.close();
    }
  }

  @Test
  @Story("Store outages")
  @DisplayName("disk full: Hellos fail as UNAVAILABLE and health says NOT_SERVING; room again: health SERVING "
      + "and Hellos succeed without a restart; every acknowledged Hello survives kill -9")
  void fullDiskAndRecovery() throws Exception {
    Path file = disk.path().resolve("registry.db");
    String store = "file:" + file;
    List<String> acknowledged = new ArrayList<>();
    try (ServerProcess server = Servers.start("--store", store)) {
      ManagedChannel channel = ManagedChannelBuilder.forTarget(server.target()).usePlaintext().build();
      try {
        ClientServiceGrpc.ClientServiceBlockingStub stub = ClientServiceGrpc.newBlockingStub(channel);
        for (int i = 0; i < 20; i++) {
          hello(stub, "before_" + i + PADDING);
          acknowledged.add("before_" + i + PADDING);
        }

        Path ballast = disk.fill();
        StatusRuntimeException refused = null;
        for (int i = 0; i < 100_000 && refused == null; i++) {
          String id = "during_" + i + PADDING;
          try {
            hello(stub, id);
            acknowledged.add(id);
          } catch (StatusRuntimeException e) {
            refused = e;
          }
        }
        assertThat(refused).as("a Hello on the full disk").isNotNull();
        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        ServingHealth.await(channel, ServingStatus.NOT_SERVING, HEALTH_WITHIN);
        assertThat(server.isAlive()).isTrue();
        assertThatThrownBy(() -> hello(stub, "refused"))
            .isInstanceOfSatisfying(
                StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));

        Files.delete(ballast);
        ServingHealth.await(channel, ServingStatus.SERVING, HEALTH_WITHIN);
        hello(stub, "after" + PADDING);
        acknowledged.add("after" + PADDING);
        Map<String, String> statuses = allStatuses(stub);
        for (String id : acknowledged) {
          assertThat(statuses).as(id).containsEntry(id, "connected");
        }
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    } // close() kills the server with SIGKILL

    try (ServerProcess restarted = Servers.start("--store", store)) {
      ManagedChannel channel = ManagedChannelBuilder.forTarget(restarted.target()).usePlaintext().build();
      try {
        Map<String, String> statuses = allStatuses(ClientServiceGrpc.newBlockingStub(channel));
        for (String id : acknowledged) {
          assertThat(statuses).as("after kill -9 and a restart: " + id).containsEntry(id, "connected");
        }
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  private static void hello(ClientServiceGrpc.ClientServiceBlockingStub stub, String id) {
    stub.withDeadlineAfter(20, TimeUnit.SECONDS)
        .sendMessage(MessageRequest.newBuilder().setClientId(id).setMessage("Hello").build());
  }

  private static Map<String, String> allStatuses(ClientServiceGrpc.ClientServiceBlockingStub stub) {
    return stub.withDeadlineAfter(20, TimeUnit.SECONDS)
        .getClientStatus(ClientStatusRequest.newBuilder().setClientId("").build())
        .getStatusesMap();
  }
}

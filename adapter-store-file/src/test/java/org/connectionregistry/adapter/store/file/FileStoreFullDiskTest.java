package org.connectionregistry.adapter.store.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.connectionregistry.domain.Stages.await;

import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.connectionregistry.adapter.store.file.testing.SmallDisk;
import org.connectionregistry.domain.ChangeCursor;
import org.connectionregistry.domain.ClientChange;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientCounts;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.RegistryUnavailableException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file store on a disk that really fills up: a {@link SmallDisk} mounted for the test, filled
 * with a ballast file. Mounting needs root (CI runs as root); where the mount is refused, the test
 * is skipped with the reason, and {@code .ci/run} fails if it did not run there.
 */
@Feature("Storage")
@Story("File store")
@DisplayName("File store on a full disk: calls fail cleanly, nothing acknowledged is lost, and it recovers by itself")
class FileStoreFullDiskTest {

  /** Long IDs, so each write needs real room on the disk. */
  private static final String PADDING = "x".repeat(100);

  @TempDir Path dir;
  private SmallDisk disk;

  @BeforeEach
  void mountSmallDisk() throws Exception {
    disk = SmallDisk.mountIn(dir);
  }

  @AfterEach
  void unmount() throws Exception {
    if (disk != null) {
      disk.close();
    }
  }

  @Test
  @Story("File store")
  @DisplayName("when the disk is full, calls fail with an unavailable error and the store is unavailable; once there is room again it serves calls without a restart, with every acknowledged change kept")
  void recoversOnceTheDiskHasRoomAgain() throws Exception {
    Path file = disk.path().resolve("registry.db");
    List<String> acknowledged = new ArrayList<>();
    long lastAcknowledgedRevision = 0;
    try (FileConnectionRegistry registry = FileConnectionRegistry.open(file)) {
      for (int i = 0; i < 100; i++) {
        String id = "before_" + i + PADDING;
        lastAcknowledgedRevision = await(registry.record(ClientId.of(id), ConnectionStatus.CONNECTED)).revision();
        acknowledged.add(id);
      }

      Path ballast = disk.fill();
      RegistryUnavailableException refused = null;
      for (int i = 0; i < 100_000 && refused == null; i++) {
        String id = "during_" + i + PADDING;
        try {
          lastAcknowledgedRevision = await(registry.record(ClientId.of(id), ConnectionStatus.CONNECTED)).revision();
          acknowledged.add(id);
        } catch (RegistryUnavailableException e) {
          refused = e;
        }
      }
      assertThat(refused).as("a write on the full disk").isNotNull();
      assertThat(refused).hasMessageContaining(file.toString()).hasMessageContaining("failed to write");
      assertThat(registry.isAvailable()).as("available while the disk is full").isFalse();
      // It stays refused while the disk stays full, reads included, well past a few retries.
      Thread.sleep(1_000);
      assertThat(registry.isAvailable()).as("available while the disk is still full").isFalse();
      assertThatThrownBy(() -> await(registry.record(ClientId.of("refused"), ConnectionStatus.CONNECTED)))
          .isInstanceOf(RegistryUnavailableException.class)
          .hasMessageContaining(file.toString());
      assertThatThrownBy(() -> await(registry.statusOf(ClientId.of(acknowledged.get(0)))))
          .isInstanceOf(RegistryUnavailableException.class);
      assertThatThrownBy(() -> await(registry.counts())).isInstanceOf(RegistryUnavailableException.class);
      assertThat(registry.changes().latestRevision())
          .as("the feed holds acknowledged changes only, none of a failed commit")
          .isEqualTo(lastAcknowledgedRevision);

      Files.delete(ballast);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!registry.isAvailable() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(registry.isAvailable()).as("available again once the ballast is deleted").isTrue();

      await(registry.record(ClientId.of("after" + PADDING), ConnectionStatus.DISCONNECTED));
      assertThat(await(registry.statusOf(ClientId.of("after" + PADDING))))
          .contains(ConnectionStatus.DISCONNECTED);
      for (String id : acknowledged) {
        assertThat(await(registry.statusOf(ClientId.of(id)))).as(id).contains(ConnectionStatus.CONNECTED);
      }
      assertThat(await(registry.list(Optional.empty(), 1_000_000)).size())
          .isGreaterThanOrEqualTo(acknowledged.size() + 1);
      assertRevisionsWhole(registry);
    }

    try (FileConnectionRegistry reopened = FileConnectionRegistry.open(file)) {
      for (String id : acknowledged) {
        assertThat(await(reopened.statusOf(ClientId.of(id)))).as("after reopening: " + id)
            .contains(ConnectionStatus.CONNECTED);
      }
      assertThat(await(reopened.statusOf(ClientId.of("after" + PADDING))))
          .contains(ConnectionStatus.DISCONNECTED);
      assertRevisionsWhole(reopened);
    }
  }

  /**
   * No half-applied change: revisions have no gap (a failed commit took none), every listed client
   * has its one change in the history (each client here changes once), and the counts match the
   * listing. A batch whose sync failed may still have reached the disk whole; then it is in all
   * three, never in one alone.
   */
  private static void assertRevisionsWhole(FileConnectionRegistry registry) {
    List<ClientConnection> listed = await(registry.list(Optional.empty(), 1_000_000));
    ClientCounts counts = await(registry.counts());
    long connected = listed.stream().filter(c -> c.status() == ConnectionStatus.CONNECTED).count();
    assertThat(counts).isEqualTo(new ClientCounts(connected, listed.size() - connected, listed.size()));
    List<ClientChange> history = new ArrayList<>();
    try (ChangeCursor cursor = registry.changes().openAfter(0, () -> {})) {
      List<ClientChange> read;
      while (!(read = cursor.poll(1000)).isEmpty()) {
        history.addAll(read);
      }
    }
    assertThat(history).extracting(ClientChange::revision)
        .containsExactlyElementsOf(LongStream.rangeClosed(1, listed.size()).boxed().toList());
    assertThat(history).extracting(ClientChange::entry).containsExactlyInAnyOrderElementsOf(listed);
    assertThat(listed).extracting(c -> c.clientId().value()).doesNotContain("refused");
  }
}

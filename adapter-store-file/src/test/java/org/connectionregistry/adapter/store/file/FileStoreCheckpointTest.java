package org.connectionregistry.adapter.store.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.connectionregistry.domain.Stages.await;

import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.domain.ChangeHistory;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientCounts;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionStatus;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.type.LongDataType;
import org.h2.mvstore.type.StringDataType;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Feature("Storage")
@Story("File store")
@DisplayName("File store checkpoints: group commits write only the changes, and the clients map catches up now and then")
class FileStoreCheckpointTest {

  private static final Duration NEVER_BY_TIME = Duration.ofDays(1);

  @TempDir Path dir;

  @Test
  @Story("File store")
  @DisplayName("lookups and listings merge the entries changed since the last checkpoint over the checkpointed ones, in client-ID order, page by page")
  void readsMergeChangesSinceTheCheckpoint() {
    Path file = dir.resolve("merge.db");
    Map<String, ClientConnection> expected = new TreeMap<>();
    try (FileConnectionRegistry registry = open(file, ChangeHistory.DEFAULT_CAPACITY, new Checkpoints(10, NEVER_BY_TIME))) {
      for (int i = 1; i <= 12; i++) {
        record(registry, expected, String.format("c%02d", i), ConnectionStatus.CONNECTED);
      }
      // Before the checkpoint's ID range, inside it (replacing a checkpointed entry and one
      // changed since), and after it.
      record(registry, expected, "c03", ConnectionStatus.DISCONNECTED);
      record(registry, expected, "c00", ConnectionStatus.CONNECTED);
      record(registry, expected, "c99", ConnectionStatus.DISCONNECTED);
      record(registry, expected, "c11", ConnectionStatus.DISCONNECTED);
      record(registry, expected, "c06x", ConnectionStatus.CONNECTED);
      assertThat(registry.checkpointedRevision()).as("one checkpoint, after 10 changes").isEqualTo(10);

      assertReads(registry, expected);
      assertThat(await(registry.counts())).isEqualTo(new ClientCounts(12, 3, 17));
    }

    try (FileConnectionRegistry reopened = open(file, ChangeHistory.DEFAULT_CAPACITY, new Checkpoints(10, NEVER_BY_TIME))) {
      assertThat(reopened.checkpointedRevision()).as("close checkpoints what was left").isEqualTo(17);
      assertReads(reopened, expected);
    }
  }

  @Test
  @Story("File store")
  @DisplayName("a group commit that would drop from the kept history a change the clients map lacks is a checkpoint too")
  void historyNeverDropsAChangeNotCheckpointed() {
    Path file = dir.resolve("small-history.db");
    Map<String, ClientConnection> expected = new TreeMap<>();
    try (FileConnectionRegistry registry = open(file, 3, new Checkpoints(1_000_000, NEVER_BY_TIME))) {
      for (int i = 1; i <= 10; i++) {
        record(registry, expected, "c" + i, i % 2 == 0 ? ConnectionStatus.CONNECTED : ConnectionStatus.DISCONNECTED);
        assertThat(registry.changes().compactedRevision())
            .as("after change %s, the history keeps only what the clients map holds", i)
            .isLessThanOrEqualTo(registry.checkpointedRevision());
      }
      assertThat(registry.checkpointedRevision()).isPositive();
      assertReads(registry, expected);
    }
    try (FileConnectionRegistry reopened = open(file, 3, new Checkpoints(1_000_000, NEVER_BY_TIME))) {
      assertReads(reopened, expected);
      assertThat(reopened.changes().compactedRevision()).isEqualTo(7);
    }
  }

  @Test
  @Story("File store")
  @DisplayName("once writes pause for the checkpoint interval, the changes are folded into the clients map without another write")
  void quietQueueTakesACheckpoint() throws InterruptedException {
    Path file = dir.resolve("quiet.db");
    try (FileConnectionRegistry registry = open(file, ChangeHistory.DEFAULT_CAPACITY, new Checkpoints(1_000_000, Duration.ofMillis(200)))) {
      Map<String, ClientConnection> expected = new TreeMap<>();
      record(registry, expected, "a", ConnectionStatus.CONNECTED);
      record(registry, expected, "b", ConnectionStatus.CONNECTED);
      record(registry, expected, "a", ConnectionStatus.DISCONNECTED);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (registry.checkpointedRevision() < 3 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(registry.checkpointedRevision()).isEqualTo(3);
      assertReads(registry, expected);
      assertThat(registry.syncs()).as("the checkpoint is not counted as a call's sync").isEqualTo(3);
    }
    try (MVStore raw = new MVStore.Builder().fileName(file.toString()).readOnly().open()) {
      MVMap<String, Long> registry = raw.openMap("registry",
          new MVMap.Builder<String, Long>().keyType(StringDataType.INSTANCE).valueType(LongDataType.INSTANCE));
      assertThat(registry.get("applied")).isEqualTo(3L);
      assertThat(registry.get("format")).isEqualTo(3L);
    }
  }

  @Test
  @Story("File store")
  @DisplayName("a checkpoint after another writes the clients changed since the first into the file, and keeps the others as they were")
  void secondCheckpointWritesWhatChangedSinceTheFirst() {
    Path file = dir.resolve("two-checkpoints.db");
    Map<String, ClientConnection> expected = new TreeMap<>();
    try (FileConnectionRegistry registry = open(file, ChangeHistory.DEFAULT_CAPACITY, new Checkpoints(5, NEVER_BY_TIME))) {
      for (int i = 1; i <= 5; i++) {
        record(registry, expected, "c" + i, ConnectionStatus.CONNECTED);
      }
      assertThat(registry.checkpointedRevision()).as("the first checkpoint").isEqualTo(5);
      // c1 and c2 were checkpointed and change again; c6 to c8 are new.
      record(registry, expected, "c1", ConnectionStatus.DISCONNECTED);
      record(registry, expected, "c6", ConnectionStatus.CONNECTED);
      record(registry, expected, "c2", ConnectionStatus.DISCONNECTED);
      record(registry, expected, "c7", ConnectionStatus.CONNECTED);
      record(registry, expected, "c8", ConnectionStatus.DISCONNECTED);
      assertThat(registry.checkpointedRevision()).as("the second checkpoint").isEqualTo(10);
      assertReads(registry, expected);
    }
    // Close had nothing left to fold in: the file's clients map is as the second checkpoint wrote it.
    try (MVStore raw = new MVStore.Builder().fileName(file.toString()).readOnly().open()) {
      MVMap<String, StoredEntry> clients = raw.openMap("clients",
          new MVMap.Builder<String, StoredEntry>().keyType(StringDataType.INSTANCE).valueType(StoredEntry.Type.INSTANCE));
      Map<String, String> inFile = new TreeMap<>();
      clients.forEach((id, entry) -> inFile.put(id, entry.status().label() + "@" + entry.revision()));
      assertThat(inFile).containsExactlyEntriesOf(new TreeMap<>(Map.of(
          "c1", "disconnected@6", "c2", "disconnected@8", "c3", "connected@3", "c4", "connected@4",
          "c5", "connected@5", "c6", "connected@7", "c7", "connected@9", "c8", "disconnected@10")));
    }
    try (FileConnectionRegistry reopened = open(file, ChangeHistory.DEFAULT_CAPACITY, new Checkpoints(5, NEVER_BY_TIME))) {
      assertReads(reopened, expected);
      assertThat(await(reopened.counts())).isEqualTo(new ClientCounts(5, 3, 10));
    }
  }

  private static FileConnectionRegistry open(Path file, int historyCapacity, Checkpoints checkpoints) {
    return FileConnectionRegistry.open(file, historyCapacity, Clock.systemUTC(), checkpoints);
  }

  private static void record(
      FileConnectionRegistry registry, Map<String, ClientConnection> expected, String id, ConnectionStatus status) {
    expected.put(id, await(registry.record(ClientId.of(id), status)));
  }

  /** Every client's status, the whole listing, and the listing in pages of 3 and of 4, as expected. */
  private static void assertReads(FileConnectionRegistry registry, Map<String, ClientConnection> expected) {
    expected.forEach((id, entry) ->
        assertThat(await(registry.statusOf(ClientId.of(id)))).as(id).contains(entry.status()));
    assertThat(await(registry.statusOf(ClientId.of("c50")))).isEmpty();
    List<ClientConnection> all = List.copyOf(expected.values());
    assertThat(await(registry.listAll())).containsExactlyElementsOf(all);
    for (int pageSize : new int[] {3, 4}) {
      List<ClientConnection> paged = new ArrayList<>();
      Optional<ClientId> after = Optional.empty();
      List<ClientConnection> page;
      while (!(page = await(registry.list(after, pageSize))).isEmpty()) {
        assertThat(page.size()).isLessThanOrEqualTo(pageSize);
        paged.addAll(page);
        after = Optional.of(page.get(page.size() - 1).clientId());
      }
      assertThat(paged).as("pages of %s", pageSize).containsExactlyElementsOf(all);
    }
  }
}

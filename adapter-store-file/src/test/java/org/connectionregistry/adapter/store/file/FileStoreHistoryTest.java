package org.connectionregistry.adapter.store.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.connectionregistry.domain.Stages.await;

import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.connectionregistry.domain.ChangeCursor;
import org.connectionregistry.domain.ChangeFeed;
import org.connectionregistry.domain.ChangeReason;
import org.connectionregistry.domain.ClientChange;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientCounts;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.RevisionCompactedException;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.type.LongDataType;
import org.h2.mvstore.type.StringDataType;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Feature("Watch")
@Story("File store keeps revisions and history")
@DisplayName("File store: revisions, since, counts and the kept history survive a restart, and old files are upgraded")
class FileStoreHistoryTest {

  @TempDir Path dir;

  @Test
  @Story("File store keeps revisions and history")
  @DisplayName("after close and reopen, entries keep revision and since, counts are right, revisions go on, and a watch resumes exactly")
  void revisionsCountsAndHistorySurviveReopen() {
    Path file = dir.resolve("registry.db");
    List<ClientConnection> made = new ArrayList<>();
    ClientConnection seenByWatcher;
    try (FileConnectionRegistry first = FileConnectionRegistry.open(file)) {
      made.add(change(first, "a", ConnectionStatus.CONNECTED, ChangeReason.HELLO));
      seenByWatcher = change(first, "b", ConnectionStatus.CONNECTED, ChangeReason.SESSION_STARTED);
      made.add(seenByWatcher);
      made.add(change(first, "a", ConnectionStatus.DISCONNECTED, ChangeReason.GOODBYE));
      made.add(change(first, "c", ConnectionStatus.DISCONNECTED, ChangeReason.SESSION_LOST));
      assertThat(await(first.counts())).isEqualTo(new ClientCounts(1, 2, 4));
    }

    try (FileConnectionRegistry second = FileConnectionRegistry.open(file)) {
      assertThat(made).extracting(ClientConnection::revision).containsExactly(1L, 2L, 3L, 4L);
      assertThat(await(second.listAll())).containsExactly(made.get(2), made.get(1), made.get(3));
      assertThat(await(second.counts())).isEqualTo(new ClientCounts(1, 2, 4));
      assertThat(second.changes().latestRevision()).isEqualTo(4);
      assertThat(second.changes().compactedRevision()).isZero();
      assertThat(changesAfter(second.changes(), seenByWatcher.revision()))
          .extracting(FileStoreHistoryTest::describe)
          .containsExactly("3 a disconnected (goodbye)", "4 c disconnected (session lost)");

      ClientConnection again = change(second, "b", ConnectionStatus.CONNECTED, ChangeReason.HELLO);
      assertThat(again).as("a repeat after the restart is still no change").isEqualTo(made.get(1));
      ClientConnection next = change(second, "d", ConnectionStatus.CONNECTED, ChangeReason.HELLO);
      assertThat(next.revision()).isEqualTo(5);
      assertThat(await(second.counts())).isEqualTo(new ClientCounts(2, 2, 5));
    }

    try (FileConnectionRegistry third = FileConnectionRegistry.open(file)) {
      assertThat(changesAfter(third.changes(), 0)).extracting(ClientChange::revision).containsExactly(1L, 2L, 3L, 4L, 5L);
      assertThat(await(third.counts())).isEqualTo(new ClientCounts(2, 2, 5));
    }
  }

  @Test
  @Story("File store keeps revisions and history")
  @DisplayName("the kept history holds exactly its capacity, in the feed and after a reopen, and a compacted revision is refused")
  void historyKeepsExactlyItsCapacity() {
    Path file = dir.resolve("trimmed.db");
    try (FileConnectionRegistry registry = FileConnectionRegistry.open(file, 10)) {
      for (int i = 1; i <= 25; i++) {
        change(registry, "c" + i, i % 2 == 0 ? ConnectionStatus.CONNECTED : ConnectionStatus.DISCONNECTED, ChangeReason.HELLO);
      }
      assertKeeps(registry.changes(), 16, 25);
    }

    try (FileConnectionRegistry reopened = FileConnectionRegistry.open(file, 10)) {
      assertKeeps(reopened.changes(), 16, 25);
      assertThat(await(reopened.counts())).isEqualTo(new ClientCounts(12, 13, 25));
    }

    // A smaller capacity on the next start drops the oldest at once, in the file too.
    try (FileConnectionRegistry smaller = FileConnectionRegistry.open(file, 4)) {
      assertKeeps(smaller.changes(), 22, 25);
    }
    try (FileConnectionRegistry larger = FileConnectionRegistry.open(file, 100)) {
      assertKeeps(larger.changes(), 22, 25);
      change(larger, "new", ConnectionStatus.CONNECTED, ChangeReason.HELLO);
      assertKeeps(larger.changes(), 22, 26);
    }
  }

  @Test
  @Story("File store keeps revisions and history")
  @DisplayName("a history capacity below 1 is refused with a message naming it")
  void historyCapacityMustBePositive() {
    assertThatThrownBy(() -> FileConnectionRegistry.open(dir.resolve("zero.db"), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("history capacity must be positive, got 0");
  }

  @Test
  @Story("File store keeps revisions and history")
  @DisplayName("a file of the previous format (statuses only) is upgraded once when opened: revisions 1..n in ID order, since the upgrade")
  void oldFormatIsUpgradedInPlace() {
    Path file = dir.resolve("old.db");
    writeOldFormat(file, List.of("user_2", "connected", "user_1", "disconnected", "Alice", "connected"));
    Instant upgradeTime = Instant.parse("2025-06-01T12:00:00Z");

    try (FileConnectionRegistry upgraded =
        FileConnectionRegistry.open(file, 100, Clock.fixed(upgradeTime, ZoneOffset.UTC))) {
      assertThat(await(upgraded.listAll()))
          .containsExactly(
              new ClientConnection(ClientId.of("Alice"), ConnectionStatus.CONNECTED, 1, upgradeTime),
              new ClientConnection(ClientId.of("user_1"), ConnectionStatus.DISCONNECTED, 2, upgradeTime),
              new ClientConnection(ClientId.of("user_2"), ConnectionStatus.CONNECTED, 3, upgradeTime));
      assertThat(await(upgraded.counts())).isEqualTo(new ClientCounts(2, 1, 3));
      // Nothing is known of how the clients got there: a watch starts after the upgrade.
      assertThat(upgraded.changes().compactedRevision()).isEqualTo(3);
      assertThatThrownBy(() -> upgraded.changes().openAfter(0, () -> {}))
          .isInstanceOf(RevisionCompactedException.class);
      change(upgraded, "user_1", ConnectionStatus.CONNECTED, ChangeReason.HELLO);
    }

    try (FileConnectionRegistry reopened = FileConnectionRegistry.open(file)) {
      List<ClientConnection> clients = await(reopened.listAll());
      assertThat(clients)
          .as("upgraded once: the second open keeps the revisions and times")
          .hasSize(3)
          .contains(
              new ClientConnection(ClientId.of("Alice"), ConnectionStatus.CONNECTED, 1, upgradeTime),
              new ClientConnection(ClientId.of("user_2"), ConnectionStatus.CONNECTED, 3, upgradeTime));
      assertThat(clients.get(1).clientId()).isEqualTo(ClientId.of("user_1"));
      assertThat(clients.get(1).status()).isEqualTo(ConnectionStatus.CONNECTED);
      assertThat(clients.get(1).revision()).isEqualTo(4);
      assertThat(clients.get(1).since()).as("dated by the fixed clock of the registry that made it").isEqualTo(upgradeTime);
      assertThat(await(reopened.counts())).isEqualTo(new ClientCounts(3, 0, 4));
      assertThat(changesAfter(reopened.changes(), 3))
          .extracting(FileStoreHistoryTest::describe)
          .containsExactly("4 user_1 connected (hello)");
    }
    MVStore raw = new MVStore.Builder().fileName(file.toString()).readOnly().open();
    try {
      assertThat(raw.getMapNames()).doesNotContain("statuses");
    } finally {
      raw.close();
    }
  }

  @Test
  @Story("File store keeps revisions and history")
  @DisplayName("an empty file of the previous format opens as an empty registry at revision 0")
  void emptyOldFormatIsUpgraded() {
    Path file = dir.resolve("old-empty.db");
    writeOldFormat(file, List.of());

    try (FileConnectionRegistry upgraded = FileConnectionRegistry.open(file)) {
      assertThat(await(upgraded.listAll())).isEmpty();
      assertThat(await(upgraded.counts())).isEqualTo(new ClientCounts(0, 0, 0));
      assertThat(change(upgraded, "a", ConnectionStatus.CONNECTED, ChangeReason.HELLO).revision()).isEqualTo(1);
    }
  }

  @Test
  @Story("File store keeps revisions and history")
  @DisplayName("a file of format 2 (revisions and history, no checkpoints) opens with every entry, count and kept change, and goes on from its revision")
  void formatTwoOpensAsItWas() {
    Path file = dir.resolve("format-2.db");
    Instant t1 = Instant.parse("2025-06-01T12:00:00Z");
    Instant t3 = Instant.parse("2025-06-01T12:00:03Z");
    writeFormatTwo(file, List.of(
        new ClientChange(1, ClientId.of("a"), ConnectionStatus.CONNECTED, ChangeReason.HELLO, t1),
        new ClientChange(2, ClientId.of("b"), ConnectionStatus.CONNECTED, ChangeReason.HELLO, t1),
        new ClientChange(3, ClientId.of("b"), ConnectionStatus.DISCONNECTED, ChangeReason.GOODBYE, t3)));

    try (FileConnectionRegistry opened = FileConnectionRegistry.open(file)) {
      assertThat(await(opened.listAll())).containsExactly(
          new ClientConnection(ClientId.of("a"), ConnectionStatus.CONNECTED, 1, t1),
          new ClientConnection(ClientId.of("b"), ConnectionStatus.DISCONNECTED, 3, t3));
      assertThat(await(opened.counts())).isEqualTo(new ClientCounts(1, 1, 3));
      assertThat(changesAfter(opened.changes(), 0)).extracting(FileStoreHistoryTest::describe)
          .containsExactly("1 a connected (hello)", "2 b connected (hello)", "3 b disconnected (goodbye)");
      assertThat(change(opened, "c", ConnectionStatus.CONNECTED, ChangeReason.HELLO).revision()).isEqualTo(4);
    }
    try (FileConnectionRegistry reopened = FileConnectionRegistry.open(file)) {
      assertThat(await(reopened.listAll())).extracting(ClientConnection::revision).containsExactly(1L, 3L, 4L);
      assertThat(await(reopened.counts())).isEqualTo(new ClientCounts(2, 1, 4));
    }
  }

  /**
   * A file as the version before checkpoints wrote it (format 2, commit 87884eb): the clients map
   * holds every change, the registry has no {@code applied} revision.
   */
  private static void writeFormatTwo(Path file, List<ClientChange> changes) {
    MVStore old = new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().open();
    MVMap<String, StoredEntry> clients = old.openMap("clients",
        new MVMap.Builder<String, StoredEntry>().keyType(StringDataType.INSTANCE).valueType(StoredEntry.Type.INSTANCE));
    MVMap<Long, ClientChange> history = old.openMap("changes",
        new MVMap.Builder<Long, ClientChange>().keyType(LongDataType.INSTANCE).valueType(StoredChangeType.INSTANCE));
    MVMap<String, Long> registry = old.openMap("registry",
        new MVMap.Builder<String, Long>().keyType(StringDataType.INSTANCE).valueType(LongDataType.INSTANCE));
    long connected = 0;
    for (ClientChange change : changes) {
      StoredEntry before = clients.put(change.clientId().value(), StoredEntry.of(change));
      if (before != null && before.status() == ConnectionStatus.CONNECTED) {
        connected--;
      }
      connected += change.status() == ConnectionStatus.CONNECTED ? 1 : 0;
      history.put(change.revision(), change);
    }
    registry.put("format", 2L);
    registry.put("revision", (long) changes.size());
    registry.put("connected", connected);
    registry.put("disconnected", clients.size() - connected);
    old.commit();
    old.sync();
    old.close();
  }

  /**
   * A file as the previous version wrote it (commit d7b29b2): one map, {@code statuses}, of client
   * ID to status label, both as MVStore strings, committed and synced.
   */
  private static void writeOldFormat(Path file, List<String> idsAndLabels) {
    MVStore old = new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().open();
    MVMap<String, String> statuses =
        old.openMap(
            "statuses",
            new MVMap.Builder<String, String>()
                .keyType(StringDataType.INSTANCE)
                .valueType(StringDataType.INSTANCE));
    for (int i = 0; i < idsAndLabels.size(); i += 2) {
      statuses.put(idsAndLabels.get(i), idsAndLabels.get(i + 1));
    }
    old.commit();
    old.sync();
    old.close();
  }

  private static void assertKeeps(ChangeFeed feed, long oldest, long latest) {
    assertThat(feed.latestRevision()).isEqualTo(latest);
    assertThat(feed.compactedRevision()).isEqualTo(oldest - 1);
    assertThat(changesAfter(feed, oldest - 1))
        .extracting(ClientChange::revision)
        .containsExactlyElementsOf(LongStream.rangeClosed(oldest, latest).boxed().toList());
    assertThatThrownBy(() -> feed.openAfter(oldest - 2, () -> {}))
        .isInstanceOf(RevisionCompactedException.class)
        .hasMessageContaining("changes are kept after revision " + (oldest - 1));
  }

  private static ClientConnection change(
      FileConnectionRegistry registry, String id, ConnectionStatus status, ChangeReason reason) {
    return await(registry.record(ClientId.of(id), status, reason));
  }

  /** Every change the feed holds after {@code revision}; the store appends before it answers. */
  private static List<ClientChange> changesAfter(ChangeFeed feed, long revision) {
    List<ClientChange> seen = new ArrayList<>();
    try (ChangeCursor cursor = feed.openAfter(revision, () -> {})) {
      List<ClientChange> read;
      while (!(read = cursor.poll(1000)).isEmpty()) {
        seen.addAll(read);
      }
    }
    return seen;
  }

  private static String describe(ClientChange change) {
    return change.revision() + " " + change.clientId().value() + " " + change.status().label()
        + " (" + change.reason().label() + ")";
  }
}

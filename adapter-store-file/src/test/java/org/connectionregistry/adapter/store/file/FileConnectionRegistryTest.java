package org.connectionregistry.adapter.store.file;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.connectionregistry.domain.Stages.await;

import io.qameta.allure.Story;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.LongStream;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.domain.ChangeCursor;
import org.connectionregistry.domain.ClientChange;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientCounts;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionRegistry;
import org.connectionregistry.domain.EngineOutageContract;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.RegistryUnavailableException;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.type.LongDataType;
import org.h2.mvstore.type.StringDataType;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("File store (H2 MVStore): the registry contract, outages, durability and bad files")
class FileConnectionRegistryTest extends EngineOutageContract {

  @TempDir Path dir;

  @Override
  protected ConnectionRegistry newRegistry() {
    return FileConnectionRegistry.open(dir.resolve("contract.db"));
  }

  /** The file is the engine: an operator deletes it under the running server. */
  @Override
  protected void loseEngine() throws IOException {
    Files.delete(dir.resolve("contract.db"));
  }

  @Test
  @Story("File store")
  @DisplayName("statuses survive closing and reopening the file")
  void statusesSurviveReopen() {
    Path file = dir.resolve("registry.db");
    try (FileConnectionRegistry first = FileConnectionRegistry.open(file)) {
      await(first.record(ClientId.of("user_1"), ConnectionStatus.CONNECTED));
      await(first.record(ClientId.of("用户7"), ConnectionStatus.CONNECTED));
      await(first.record(ClientId.of("user_1"), ConnectionStatus.DISCONNECTED));
    }

    try (FileConnectionRegistry second = FileConnectionRegistry.open(file)) {
      assertThat(await(second.statusOf(ClientId.of("user_1")))).contains(ConnectionStatus.DISCONNECTED);
      assertThat(await(second.listAll()))
          .extracting(ClientConnection::withoutRevision)
          .containsExactly(
              new ClientConnection(ClientId.of("user_1"), ConnectionStatus.DISCONNECTED),
              new ClientConnection(ClientId.of("用户7"), ConnectionStatus.CONNECTED));
      await(second.record(ClientId.of("user_2"), ConnectionStatus.CONNECTED));
    }

    try (FileConnectionRegistry third = FileConnectionRegistry.open(file)) {
      assertThat(await(third.listAll())).hasSize(3);
    }
  }

  @Test
  @Story("File store")
  @DisplayName("every acknowledged change is there after the process is killed with SIGKILL, with its revision, in the counts and in the kept history")
  void acknowledgedChangesSurviveKill() throws Exception {
    Path file = dir.resolve("crash.db");
    Path stderr = dir.resolve("child-stderr.txt");
    int acksBeforeKill = 500;
    // A checkpoint every 64 changes: the kill lands between two, as it would under real load.
    Process child = recordUntilKilled(file, stderr, "threads", "64");
    Map<String, Long> acknowledged = new LinkedHashMap<>();
    readThenKill(child, acknowledged, line -> acknowledged.size() >= acksBeforeKill);
    assertThat(acknowledged)
        .as("acks before the child ended; its stderr: %s", Files.readString(stderr))
        .hasSize(acksBeforeKill);

    try (FileConnectionRegistry reopened = FileConnectionRegistry.open(file)) {
      assertStatusesSurvived(reopened, acknowledged);
      assertThat(await(reopened.listAll()).size()).isGreaterThanOrEqualTo(acksBeforeKill);
      assertRevisionsSurvived(reopened, acknowledged);
    }
  }

  @Test
  @Story("File store")
  @DisplayName("calls acknowledged together in one group commit are all there after SIGKILL, with their revisions and history")
  void groupCommittedChangesSurviveKill() throws Exception {
    Path file = dir.resolve("group-crash.db");
    Path stderr = dir.resolve("waves-stderr.txt");
    // A checkpoint every 500 changes: the waves after the last one come back from the history.
    Process child = recordUntilKilled(file, stderr, "waves", "500");
    Map<String, Long> acknowledged = new LinkedHashMap<>();
    List<Long> syncsPerWave = new ArrayList<>();
    // Three whole waves, then kill in the middle of the fourth's acknowledgements.
    readThenKill(child, acknowledged, line -> {
      if (line.startsWith("wave ")) {
        syncsPerWave.add(Long.parseLong(line.substring(line.lastIndexOf(' ') + 1)));
        return false;
      }
      return line.startsWith("ack ")
          && syncsPerWave.size() == 3
          && acknowledged.size() > 3 * RecordUntilKilled.WAVE + 10;
    });
    assertThat(syncsPerWave)
        .as("waves acknowledged before the kill; the child's stderr: %s", Files.readString(stderr))
        .hasSize(3);
    // 256 calls in flight at once share a handful of syncs, not one each.
    assertThat(syncsPerWave).allSatisfy(syncs -> assertThat(syncs).isBetween(1L, 16L));

    try (FileConnectionRegistry reopened = FileConnectionRegistry.open(file)) {
      assertStatusesSurvived(reopened, acknowledged);
      assertRevisionsSurvived(reopened, acknowledged);
    }
  }

  @Test
  @Story("File store")
  @DisplayName("a SIGKILL between checkpoints loses nothing acknowledged: the changes after the last checkpoint come back from the kept history")
  void killBetweenCheckpointsLosesNothing() throws Exception {
    Path file = dir.resolve("between-checkpoints.db");
    Path stderr = dir.resolve("between-stderr.txt");
    int waves = 6;
    // 1,536 changes, a checkpoint once 1,000 have gathered, then none: the kill lands after it.
    Process child = recordUntilKilled(file, stderr, "waves:" + waves, "1000");
    Map<String, Long> acknowledged = new LinkedHashMap<>();
    readThenKill(child, acknowledged, line -> line.equals("done")); // no last checkpoint either
    int made = waves * RecordUntilKilled.WAVE;
    assertThat(acknowledged).as("acks; the child's stderr: %s", Files.readString(stderr)).hasSize(made);

    // What the kill left on disk: the clients map as of the checkpoint, the rest only in the history.
    try (RawFile raw = new RawFile(file)) {
      assertThat(raw.registry.get("revision")).isEqualTo((long) made);
      long checkpoint = raw.registry.get("applied");
      assertThat(checkpoint).as("the checkpoint's revision").isBetween(1000L, made - 1L);
      assertThat(raw.clients.size()).as("clients in the checkpointed map").isEqualTo((int) checkpoint);
      acknowledged.forEach((id, revision) ->
          assertThat(raw.clients.containsKey(id)).as("%s (revision %s) in the checkpointed map", id, revision)
              .isEqualTo(revision <= checkpoint));
      assertThat(raw.changes.size()).as("the kept history").isEqualTo(made);
    }

    try (FileConnectionRegistry reopened = FileConnectionRegistry.open(file)) {
      assertStatusesSurvived(reopened, acknowledged);
      assertThat(await(reopened.listAll())).hasSize(made);
      assertRevisionsSurvived(reopened, acknowledged);
    }
    try (RawFile raw = new RawFile(file)) {
      assertThat(raw.registry.get("applied")).as("reopening checkpointed the replayed changes")
          .isEqualTo(raw.registry.get("revision"));
      assertThat(raw.clients.size()).isEqualTo(made + 1);
    }
  }

  /**
   * Reads the child's output line by line, noting each {@code ack ID REVISION} in {@code
   * acknowledged}, until {@code stopAfter} is true of a line (after its ack is noted) or the output
   * ends; then kills the child with SIGKILL (on Unix: no shutdown hook, no close).
   */
  private static void readThenKill(
      Process child, Map<String, Long> acknowledged, Predicate<String> stopAfter) throws Exception {
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith("ack ")) {
          String[] words = line.split(" ");
          acknowledged.put(words[1], Long.parseLong(words[2]));
        }
        if (stopAfter.test(line)) {
          break;
        }
      }
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      child.destroyForcibly();
    }
  }

  /** Every acknowledged client has, after reopening, the status the child wrote for it. */
  private static void assertStatusesSurvived(ConnectionRegistry reopened, Map<String, Long> acknowledged) {
    for (String id : acknowledged.keySet()) {
      long n = Long.parseLong(id.substring(id.indexOf('-') + 1));
      assertThat(await(reopened.statusOf(ClientId.of(id))))
          .as("status of acknowledged %s", id)
          .contains(RecordUntilKilled.status(n));
    }
  }

  /** Starts {@link RecordUntilKilled} in a child JVM on {@code file}, with its stderr to {@code stderr}. */
  private static Process recordUntilKilled(Path file, Path stderr, String... args) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(
        java, "-cp", System.getProperty("java.class.path"), RecordUntilKilled.class.getName(), file.toString()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectError(stderr.toFile()).start();
  }

  /** The store file as it lies on disk, read-only and below the registry: its maps as written. */
  private static final class RawFile implements AutoCloseable {
    final MVStore store;
    final MVMap<String, Long> registry;
    final MVMap<String, StoredEntry> clients;
    final MVMap<Long, ClientChange> changes;

    RawFile(Path file) {
      store = new MVStore.Builder().fileName(file.toString()).readOnly().open();
      registry = store.openMap("registry",
          new MVMap.Builder<String, Long>().keyType(StringDataType.INSTANCE).valueType(LongDataType.INSTANCE));
      clients = store.openMap("clients",
          new MVMap.Builder<String, StoredEntry>().keyType(StringDataType.INSTANCE).valueType(StoredEntry.Type.INSTANCE));
      changes = store.openMap("changes",
          new MVMap.Builder<Long, ClientChange>().keyType(LongDataType.INSTANCE).valueType(StoredChangeType.INSTANCE));
    }

    @Override
    public void close() {
      store.close();
    }
  }

  /**
   * After a crash: every acknowledged change has the revision it was acknowledged with, in the
   * listing and in the kept history; the counts match the listing; the history is whole; a watch
   * resumed after a revision seen before the crash gets exactly the changes after it; and the
   * next change takes the next revision.
   */
  private static void assertRevisionsSurvived(FileConnectionRegistry reopened, Map<String, Long> acknowledged)
      throws InterruptedException {
    Map<String, ClientConnection> listed = new HashMap<>();
    await(reopened.listAll()).forEach(entry -> listed.put(entry.clientId().value(), entry));
    acknowledged.forEach((id, revision) ->
        assertThat(listed.get(id).revision()).as("revision of acknowledged %s", id).isEqualTo(revision));

    ClientCounts counts = await(reopened.counts());
    long connected = listed.values().stream().filter(c -> c.status() == ConnectionStatus.CONNECTED).count();
    assertThat(counts).isEqualTo(new ClientCounts(connected, listed.size() - connected, reopened.changes().latestRevision()));
    assertThat(counts.revision())
        .as("the registry's revision is its newest entry's")
        .isEqualTo(listed.values().stream().mapToLong(ClientConnection::revision).max().orElseThrow());

    // Every client in these runs changes once, so the history holds one change per listed client.
    List<ClientChange> all = feedAfter(reopened, 0);
    assertThat(all).extracting(ClientChange::revision)
        .containsExactlyElementsOf(LongStream.rangeClosed(1, counts.revision()).boxed().toList());
    assertThat(all).extracting(ClientChange::entry).containsExactlyInAnyOrderElementsOf(listed.values());

    long seenBeforeCrash = acknowledged.values().stream().sorted().skip(acknowledged.size() / 2).findFirst().orElseThrow();
    List<ClientChange> resumed = feedAfter(reopened, seenBeforeCrash);
    assertThat(resumed).isEqualTo(all.subList((int) seenBeforeCrash, all.size()));
    acknowledged.forEach((id, revision) -> {
      if (revision > seenBeforeCrash) {
        assertThat(resumed).extracting(ClientChange::revision).as("resumed watch has %s", id).contains(revision);
      }
    });

    ClientConnection next = await(reopened.record(ClientId.of("after-crash"), ConnectionStatus.CONNECTED));
    assertThat(next.revision()).isEqualTo(counts.revision() + 1);
  }

  private static List<ClientChange> feedAfter(FileConnectionRegistry registry, long revision) {
    List<ClientChange> seen = new ArrayList<>();
    try (ChangeCursor cursor = registry.changes().openAfter(revision, () -> {})) {
      List<ClientChange> read;
      while (!(read = cursor.poll(1000)).isEmpty()) {
        seen.addAll(read);
      }
    }
    return seen;
  }

  @Test
  @Story("File store")
  @DisplayName("overwriting the same clients again and again keeps the file small")
  void overwritesDoNotGrowTheFileWithoutBound() throws Exception {
    Path file = dir.resolve("overwrites.db");
    try (FileConnectionRegistry overwritten = FileConnectionRegistry.open(file)) {
      // Each batch is a new version on disk; old ones must be reclaimed, not piled up.
      runConcurrently(4, thread -> {
        for (int i = 0; i < 1_500; i++) {
          await(overwritten.record(ClientId.of("c" + (i % 100)), i % 2 == 0 ? ConnectionStatus.CONNECTED : ConnectionStatus.DISCONNECTED));
        }
      });
      assertThat(await(overwritten.listAll())).hasSize(100);
    }
    assertThat(Files.size(file)).isLessThan(2L * 1024 * 1024);
  }

  @Test
  @Story("File store")
  @DisplayName("a missing directory is one clear line naming the file")
  void missingDirectoryIsReported() {
    Path file = dir.resolve("no-such-dir").resolve("registry.db");

    assertThatThrownBy(() -> FileConnectionRegistry.open(file))
        .isInstanceOf(StoreOpenException.class)
        .isInstanceOf(RegistryUnavailableException.class)
        .hasMessage("Cannot open store file " + file + ": directory " + file.getParent() + " does not exist");
    assertThat(file.getParent()).doesNotExist();
  }

  @Test
  @Story("File store")
  @DisplayName("a directory given as the store file is one clear line naming it")
  void directoryAsFileIsReported() {
    assertThatThrownBy(() -> FileConnectionRegistry.open(dir))
        .isInstanceOf(StoreOpenException.class)
        .hasMessage("Cannot open store file " + dir + ": it is a directory, not a file");
  }

  @Test
  @Story("File store")
  @DisplayName("a parent that is a regular file is one clear line naming it")
  void parentThatIsAFileIsReported() throws IOException {
    Path notADirectory = Files.writeString(dir.resolve("plain.txt"), "x");
    Path file = notADirectory.resolve("registry.db");

    assertThatThrownBy(() -> FileConnectionRegistry.open(file))
        .isInstanceOf(StoreOpenException.class)
        .hasMessage("Cannot open store file " + file + ": " + notADirectory + " is not a directory");
  }

  @Test
  @Story("File store")
  @DisplayName("a file of garbage bytes is reported as not a valid store file, and left as it was")
  void garbageFileIsReported() throws IOException {
    Path file = dir.resolve("garbage.db");
    byte[] garbage = new byte[10_000];
    new java.util.Random(1).nextBytes(garbage);
    Files.write(file, garbage);

    assertThatThrownBy(() -> FileConnectionRegistry.open(file))
        .isInstanceOf(StoreOpenException.class)
        .hasMessageStartingWith("Cannot open store file " + file + ": it is not a valid store file")
        .hasMessageNotContaining("\n")
        .hasMessageNotContaining("[2.");
    assertThat(Files.readAllBytes(file)).isEqualTo(garbage);
  }

  @Test
  @Story("File store")
  @DisplayName("a text file is reported as not a valid store file")
  void textFileIsReported() throws IOException {
    Path file = Files.writeString(dir.resolve("notes.db"), "user_1 connected\nuser_2 disconnected\n");

    assertThatThrownBy(() -> FileConnectionRegistry.open(file))
        .isInstanceOf(StoreOpenException.class)
        .hasMessageStartingWith("Cannot open store file " + file + ": it is not a valid store file")
        .hasMessageNotContaining("\n");
  }

  @Test
  @Story("File store")
  @DisplayName("another program's MVStore file is refused, not written into")
  void foreignStoreIsRefused() {
    Path file = dir.resolve("other.mv");
    MVStore other = MVStore.open(file.toString());
    other.openMap("orders").put("1", "x");
    other.close();

    assertThatThrownBy(() -> FileConnectionRegistry.open(file))
        .isInstanceOf(StoreOpenException.class)
        .hasMessage("Cannot open store file " + file + ": is an MVStore file of another program (it holds [orders])");
    MVStore reopened = MVStore.open(file.toString());
    assertThat(reopened.getMapNames()).containsExactly("orders");
    reopened.close();
  }

  @Test
  @Story("File store")
  @DisplayName("a file already open is reported as in use")
  void fileInUseIsReported() {
    Path file = dir.resolve("busy.db");
    try (FileConnectionRegistry first = FileConnectionRegistry.open(file)) {
      assertThatThrownBy(() -> FileConnectionRegistry.open(file))
          .isInstanceOf(StoreOpenException.class)
          .hasMessageStartingWith("Cannot open store file " + file + ": it is in use by another process");
      await(first.record(ClientId.of("a"), ConnectionStatus.CONNECTED));
      assertThat(await(first.statusOf(ClientId.of("a")))).contains(ConnectionStatus.CONNECTED);
    }
  }

  @Test
  @Story("File store")
  @DisplayName("after close, calls fail with an unavailable error naming the file, and close again is harmless")
  void closedRegistryRefusesCalls() {
    Path file = dir.resolve("closed.db");
    FileConnectionRegistry closed = FileConnectionRegistry.open(file);
    await(closed.record(ClientId.of("a"), ConnectionStatus.CONNECTED));
    closed.close();
    closed.close();

    assertThat(closed.isAvailable()).isFalse();
    assertThatThrownBy(() -> await(closed.record(ClientId.of("b"), ConnectionStatus.CONNECTED)))
        .isInstanceOf(RegistryUnavailableException.class)
        .hasMessage("Store file " + file + " is closed");
    assertThatThrownBy(() -> await(closed.statusOf(ClientId.of("a"))))
        .isInstanceOf(RegistryUnavailableException.class);
    assertThatThrownBy(() -> await(closed.list(Optional.empty(), 10)))
        .isInstanceOf(RegistryUnavailableException.class);
  }

  @Test
  @Story("File store")
  @DisplayName("close waits for writes already under way, and they are kept")
  void closeKeepsWritesUnderWay() throws Exception {
    Path file = dir.resolve("busy-close.db");
    FileConnectionRegistry writing = FileConnectionRegistry.open(file);
    List<String> acknowledged = java.util.Collections.synchronizedList(new ArrayList<>());
    Thread writer = new Thread(() -> {
      try {
        for (int i = 0; ; i++) {
          String id = "w" + i;
          await(writing.record(ClientId.of(id), ConnectionStatus.CONNECTED));
          acknowledged.add(id);
        }
      } catch (RegistryUnavailableException expectedOnceClosed) {
        // the writer stops when the registry is closed under it
      }
    });
    writer.start();
    while (acknowledged.size() < 50) {
      Thread.sleep(5);
    }
    writing.close();
    writer.join(10_000);
    assertThat(writer.isAlive()).isFalse();

    try (FileConnectionRegistry reopened = FileConnectionRegistry.open(file)) {
      for (String id : List.copyOf(acknowledged)) {
        assertThat(await(reopened.statusOf(ClientId.of(id)))).as(id).contains(ConnectionStatus.CONNECTED);
      }
    }
  }
}

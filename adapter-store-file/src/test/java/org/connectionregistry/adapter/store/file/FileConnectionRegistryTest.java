package org.connectionregistry.adapter.store.file;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qameta.allure.Story;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionRegistry;
import org.connectionregistry.domain.EngineOutageContract;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.RegistryUnavailableException;
import org.h2.mvstore.MVStore;
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
      first.record(ClientId.of("user_1"), ConnectionStatus.CONNECTED);
      first.record(ClientId.of("用户7"), ConnectionStatus.CONNECTED);
      first.record(ClientId.of("user_1"), ConnectionStatus.DISCONNECTED);
    }

    try (FileConnectionRegistry second = FileConnectionRegistry.open(file)) {
      assertThat(second.statusOf(ClientId.of("user_1"))).contains(ConnectionStatus.DISCONNECTED);
      assertThat(second.listAll())
          .containsExactly(
              new ClientConnection(ClientId.of("user_1"), ConnectionStatus.DISCONNECTED),
              new ClientConnection(ClientId.of("用户7"), ConnectionStatus.CONNECTED));
      second.record(ClientId.of("user_2"), ConnectionStatus.CONNECTED);
    }

    try (FileConnectionRegistry third = FileConnectionRegistry.open(file)) {
      assertThat(third.listAll()).hasSize(3);
    }
  }

  @Test
  @Story("File store")
  @DisplayName("every acknowledged change is there after the process is killed with SIGKILL")
  void acknowledgedChangesSurviveKill() throws Exception {
    Path file = dir.resolve("crash.db");
    Path stderr = dir.resolve("child-stderr.txt");
    int acksBeforeKill = 500;
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child =
        new ProcessBuilder(
                java, "-cp", System.getProperty("java.class.path"),
                RecordUntilKilled.class.getName(), file.toString())
            .redirectError(stderr.toFile())
            .start();
    List<String> acknowledged = new ArrayList<>();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), UTF_8))) {
      String line;
      while (acknowledged.size() < acksBeforeKill && (line = out.readLine()) != null) {
        if (line.startsWith("ack ")) {
          acknowledged.add(line.substring(4));
        }
      }
      child.destroyForcibly(); // SIGKILL on Unix: no shutdown hook, no close
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      child.destroyForcibly();
    }
    assertThat(acknowledged)
        .as("acks before the child ended; its stderr: %s", Files.readString(stderr))
        .hasSize(acksBeforeKill);

    try (FileConnectionRegistry reopened = FileConnectionRegistry.open(file)) {
      for (String id : acknowledged) {
        long n = Long.parseLong(id.substring(id.indexOf('-') + 1));
        ConnectionStatus expected = n % 2 == 0 ? ConnectionStatus.CONNECTED : ConnectionStatus.DISCONNECTED;
        assertThat(reopened.statusOf(ClientId.of(id))).as("status of acknowledged %s", id).contains(expected);
      }
      assertThat(reopened.listAll().size()).isGreaterThanOrEqualTo(acksBeforeKill);
    }
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
          overwritten.record(ClientId.of("c" + (i % 100)), i % 2 == 0 ? ConnectionStatus.CONNECTED : ConnectionStatus.DISCONNECTED);
        }
      });
      assertThat(overwritten.listAll()).hasSize(100);
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
      first.record(ClientId.of("a"), ConnectionStatus.CONNECTED);
      assertThat(first.statusOf(ClientId.of("a"))).contains(ConnectionStatus.CONNECTED);
    }
  }

  @Test
  @Story("File store")
  @DisplayName("after close, calls fail with an unavailable error naming the file, and close again is harmless")
  void closedRegistryRefusesCalls() {
    Path file = dir.resolve("closed.db");
    FileConnectionRegistry closed = FileConnectionRegistry.open(file);
    closed.record(ClientId.of("a"), ConnectionStatus.CONNECTED);
    closed.close();
    closed.close();

    assertThat(closed.isAvailable()).isFalse();
    assertThatThrownBy(() -> closed.record(ClientId.of("b"), ConnectionStatus.CONNECTED))
        .isInstanceOf(RegistryUnavailableException.class)
        .hasMessage("Store file " + file + " is closed");
    assertThatThrownBy(() -> closed.statusOf(ClientId.of("a")))
        .isInstanceOf(RegistryUnavailableException.class);
    assertThatThrownBy(() -> closed.list(Optional.empty(), 10))
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
          writing.record(ClientId.of(id), ConnectionStatus.CONNECTED);
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
        assertThat(reopened.statusOf(ClientId.of(id))).as(id).contains(ConnectionStatus.CONNECTED);
      }
    }
  }
}

package org.connectionregistry.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.qameta.allure.Allure;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.connectionregistry.testsupport.ServerProcess;
import org.connectionregistry.testsupport.TcpProxy;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live presence end to end: a server process, and console clients in {@code present} mode as
 * real processes, killed the way real processes die.
 */
@Feature("Live presence")
@DisplayName("Live presence with real processes")
class PresenceIT {

  /** The default promise of {@code --session-timeout}. */
  private static final Duration BOUND = Duration.ofSeconds(5);

  @TempDir Path directory;

  @Test
  @Story("A client that dies is shown disconnected")
  @DisplayName("a present client killed with SIGKILL is shown disconnected within 5 s")
  void killedClientIsDisconnectedWithinBound() throws Exception {
    try (ServerProcess server = Servers.start();
        StatusReader status = new StatusReader(server.target());
        PresentClient client = PresentClient.start(server.target(), "user_1")) {
      assertThat(status.of("user_1")).isEqualTo("connected");

      client.kill9();
      long killedAt = System.nanoTime();
      Duration took = status.await("user_1", "disconnected", Duration.ofSeconds(20));
      Allure.addAttachment("kill -9 to disconnected", took.toMillis() + " ms (from the kill's return)");

      assertThat(took).isLessThanOrEqualTo(BOUND);
      assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isLessThan(Duration.ofSeconds(20));
    }
  }

  @Test
  @Story("No flicker")
  @DisplayName("a present client whose connection drops reconnects by itself within the grace and is never shown disconnected")
  void clientBackWithinGraceNeverFlickers() throws Exception {
    // A grace of 6 s (two fifths of 15 s), so a reconnect on a busy machine is in time.
    try (ServerProcess server = Servers.start("--session-timeout", "15s");
        TcpProxy proxy = new TcpProxy(server.port());
        StatusReader status = new StatusReader(server.target());
        PresentClient client = PresentClient.start("127.0.0.1:" + proxy.port(), "user_2")) {
      List<String> seen = new CopyOnWriteArrayList<>();
      AtomicBoolean watching = new AtomicBoolean(true);
      Thread watcher =
          new Thread(
              () -> {
                while (watching.get()) {
                  seen.add(status.of("user_2"));
                }
              });
      watcher.start();
      try {
        Allure.step("the client's connection is cut (both sockets closed)", proxy::cut);
        client.awaitLine("Back: connected as user_2 again.", Duration.ofSeconds(6));
        Thread.sleep(Duration.ofSeconds(8).toMillis()); // past the broken session's grace
      } finally {
        watching.set(false);
        watcher.join();
      }
      assertThat(client.lines()).anyMatch(line -> line.startsWith("Connection lost: "));
      assertThat(seen).isNotEmpty().containsOnly("connected");
    }
  }

  @Test
  @Story("An ended session disconnects at once")
  @DisplayName("a present client whose input ends leaves: disconnected at once, exit code 0")
  void endOfInputLeaves() throws Exception {
    try (ServerProcess server = Servers.start();
        StatusReader status = new StatusReader(server.target());
        PresentClient client = PresentClient.start(server.target(), "user_3")) {
      int exit = client.endInput();

      assertThat(exit).isZero();
      assertThat(client.lines()).contains("Session ended.");
      assertThat(status.of("user_3")).isEqualTo("disconnected");
    }
  }

  @Test
  @Story("Goodbye ends that ID's sessions")
  @DisplayName("Goodbye from the menu ends a present client's session; it says so and exits")
  void goodbyeEndsPresentClient() throws Exception {
    try (ServerProcess server = Servers.start();
        PresentClient client = PresentClient.start(server.target(), "user_4")) {
      ClientRun run = ClientRun.against(server.target(), "1", "user_4", "Goodbye", "2", "user_4", "3");

      assertThat(run.answers())
          .contains(
              "Server Response: Client user_4 marked as disconnected.",
              "Client ID: user_4, Status: disconnected");
      assertThat(client.awaitExit()).isZero();
      assertThat(client.lines()).contains("Session ended: user_4 said Goodbye.");
    }
  }

  @Test
  @Story("A restarted server expires what its predecessor held")
  @DisplayName("on the file store, a server restarted after kill -9 expires the sessions its predecessor held")
  void fileStoreRestartExpiresInheritedSessions() throws Exception {
    String store = "file:" + directory.resolve("registry.db");
    try (ServerProcess first = Servers.start("--store", store);
        PresentClient client = PresentClient.start(first.target(), "user_5")) {
      client.kill9();
    } // the server is killed with SIGKILL too, before its grace ran out
    try (ServerProcess second = Servers.start("--store", store);
        StatusReader status = new StatusReader(second.target())) {
      Duration took = status.await("user_5", "disconnected", Duration.ofSeconds(20));

      assertThat(took).isLessThanOrEqualTo(BOUND);
    }
  }
}

package org.connectionregistry.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.connectionregistry.testsupport.ServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The seed's workflows, as a user runs them: a server process and console client processes. */
@DisplayName("End to end: the seed's workflows, server and console client processes")
class SeedScenariosIT {

  private ServerProcess server;

  @BeforeEach
  void startServer() throws Exception {
    server = Servers.start();
  }

  @AfterEach
  void stopServer() throws Exception {
    server.close();
  }

  @Test
  @DisplayName("a client says Hello, then lists every client")
  @Feature("Sending messages")
  @Story("Hello marks a client as connected")
  void helloThenListAll() throws Exception {
    ClientRun run = ClientRun.against(server.target(), "1", "user1", "Hello", "2", "", "3");

    assertThat(run.answers())
        .containsSubsequence(
            "Server Response: Client user1 marked as connected.",
            "Client ID: user1, Status: connected",
            "Exiting client.");
    assertThat(run.exitCode()).isZero();
    assertThat(run.stderr()).isEmpty();
  }

  @Test
  @DisplayName("Hello, an invalid Hurrah, then Goodbye: the Hurrah changes nothing and the server warns")
  @Feature("Sending messages")
  @Story("Any other message is rejected")
  void helloHurrahGoodbye() throws Exception {
    ClientRun run =
        ClientRun.against(
            server.target(),
            "1", "user_1", "Hello",
            "2", "user_1",
            "1", "user_1", "Hurrah",
            "2", "user_1",
            "1", "user_1", "Goodbye",
            "2", "user_1",
            "3");

    assertThat(run.answers())
        .containsSubsequence(
            "Server Response: Client user_1 marked as connected.",
            "Client ID: user_1, Status: connected",
            "Invalid argument error: Invalid message type: Hurrah",
            "Client ID: user_1, Status: connected",
            "Server Response: Client user_1 marked as disconnected.",
            "Client ID: user_1, Status: disconnected",
            "Exiting client.");
    assertThat(run.exitCode()).isZero();
    server.awaitLine(line -> line.contains("Warning: Invalid message type: Hurrah"), Duration.ofSeconds(5));
  }

  @Test
  @DisplayName("the menu reads word for word as the original's")
  @Feature("Console client")
  @Story("Menu")
  void menuWords() throws Exception {
    ClientRun run = ClientRun.against(server.target(), "3");

    assertThat(run.stdout().lines().map(String::strip).toList())
        .containsSubsequence("Options:", "1. Send Message", "2. Get Client Status", "3. Exit");
    assertThat(run.stdout()).contains("Select an option: ").endsWith("Exiting client." + System.lineSeparator());
  }

  @Test
  @DisplayName("an unknown client and a bad choice are messages, and the menu goes on")
  @Feature("Console client")
  @Story("Get Client Status")
  @Story("Invalid choice")
  void unknownClientAndBadChoice() throws Exception {
    ClientRun run = ClientRun.against(server.target(), "2", "ghost", "7", "3");

    assertThat(run.answers())
        .containsSubsequence(
            "Client not found: Client ghost not found",
            "Invalid choice. Please try again.",
            "Exiting client.");
    assertThat(run.exitCode()).isZero();
  }

  @Test
  @DisplayName("end of input ends the client cleanly, with exit code 0")
  @Feature("Console client")
  @Story("Driven through a pipe")
  void endOfInput() throws Exception {
    ClientRun run = ClientRun.against(server.target(), "1", "seed", "Hello");

    assertThat(run.exitCode()).isZero();
    assertThat(run.answers()).contains("Server Response: Client seed marked as connected.");
    assertThat(run.stderr()).doesNotContain("Exception");
  }

  @Test
  @DisplayName("several clients at once all reach the same server, and each sees the others' updates")
  @Feature("Several clients")
  @Story("Many clients at once")
  void severalClientsAtOnce() throws Exception {
    int clients = 4;
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<ClientRun>> runs = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        String id = "User_00" + i;
        String last = i % 2 == 0 ? "Hello" : "Goodbye";
        runs.add(
            pool.submit(
                () -> ClientRun.against(
                    server.target(), "1", id, "Goodbye", "1", id, "Hello", "1", id, last, "3")));
      }
      for (Future<ClientRun> run : runs) {
        assertThat(run.get().exitCode()).isZero();
      }
    } finally {
      pool.shutdownNow();
    }

    ClientRun reader = ClientRun.against(server.target(), "2", "", "3");
    assertThat(reader.answers())
        .containsSubsequence(
            "Client ID: User_000, Status: connected",
            "Client ID: User_001, Status: disconnected",
            "Client ID: User_002, Status: connected",
            "Client ID: User_003, Status: disconnected");
  }
}

package org.connectionregistry.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.connectionregistry.testsupport.ServerProcess;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drop-in, across languages: Python's gRPC stack (grpcio and protobuf, as the original system
 * used) against our server, and our console client against a Python gRPC server. The Python side
 * is built from the contract's .proto alone ({@code src/test/python/contract}).
 *
 * <p>Runs in the {@code python-interop} profile, which is on wherever Debian's python3-grpcio is
 * installed (as {@code .ci/run} does); see {@link PythonGrpc}.
 */
@DisplayName("Cross-language: the contract in Python (grpcio) against our server and console client")
@Feature("Compatibility")
class PythonInteropIT {

  /** The calls of the contract's wire table, in the tab-separated form of the Python client. */
  private static final List<String> WIRE_TABLE_CALLS =
      List.of(
          "send\tuser1\tHello",
          "send\tuser_1\tHELLO",
          "send\tUser_001\tgoodbye",
          "send\tuser_1\tHurrah",
          "status\tuser_1",
          "status\tnobody",
          "send\t1\thello",
          "send\t1\tGoodBye",
          "status\t");

  private static final List<String> WIRE_TABLE_ANSWERS =
      List.of(
          "OK success=true info=Client user1 marked as connected.",
          "OK success=true info=Client user_1 marked as connected.",
          "OK success=true info=Client User_001 marked as disconnected.",
          "INVALID_ARGUMENT: Invalid message type: Hurrah",
          "OK statuses={\"user_1\": \"connected\"}",
          "NOT_FOUND: Client nobody not found",
          "OK success=true info=Client 1 marked as connected.",
          "OK success=true info=Client 1 marked as disconnected.",
          "OK statuses={\"1\": \"disconnected\", \"User_001\": \"disconnected\", "
              + "\"user1\": \"connected\", \"user_1\": \"connected\"}");

  private static PythonGrpc python;

  @BeforeAll
  static void compileTheContractForPython(@TempDir Path generated) throws Exception {
    python = PythonGrpc.prepare(generated);
  }

  @Test
  @DisplayName("a Python client built from the contract's .proto gets every answer of the wire table")
  @Story("A client of the original works unchanged")
  void pythonClientAgainstOurServer() throws Exception {
    try (ServerProcess server = Servers.start()) {
      List<String> answers = python.callsAgainst(server.target(), WIRE_TABLE_CALLS);

      assertThat(answers).containsExactlyElementsOf(WIRE_TABLE_ANSWERS);
      server.awaitLine(line -> line.contains("Warning: Invalid message type: Hurrah"), Duration.ofSeconds(5));
    }
  }

  @Test
  @DisplayName("the Python client reads the same answers from our server as from the original's")
  @Story("A client of the original works unchanged")
  void sameAnswersAsTheOriginal() throws Exception {
    List<String> fromOriginal;
    try (ServerProcess original = python.startOriginalServer()) {
      fromOriginal = python.callsAgainst(original.target(), WIRE_TABLE_CALLS);
      original.awaitLine(line -> line.contains("Warning: Invalid message type: Hurrah"), Duration.ofSeconds(5));
    }
    List<String> fromOurs;
    try (ServerProcess ours = Servers.start()) {
      fromOurs = python.callsAgainst(ours.target(), WIRE_TABLE_CALLS);
    }

    assertThat(fromOurs).isEqualTo(fromOriginal).isEqualTo(WIRE_TABLE_ANSWERS);
  }

  @Test
  @DisplayName("our console client against the original's Python server: the seed's workflows read "
      + "the same as against ours")
  @Story("Our console client works against the original server")
  void consoleClientAgainstThePythonServer() throws Exception {
    String[] script = {
      "1", "user1", "Hello",
      "1", "user_1", "Hello",
      "1", "user_1", "Hurrah",
      "1", "user_1", "Goodbye",
      "2", "user_1",
      "2", "ghost",
      "2", "",
      "3"
    };
    ClientRun againstOriginal;
    try (ServerProcess original = python.startOriginalServer()) {
      againstOriginal = ClientRun.against(original.target(), script);
      original.awaitLine(line -> line.contains("Warning: Invalid message type: Hurrah"), Duration.ofSeconds(5));
    }
    ClientRun againstOurs;
    try (ServerProcess ours = Servers.start()) {
      againstOurs = ClientRun.against(ours.target(), script);
    }

    // The Python server has no ListClients: "all clients" goes through the contract's own call.
    assertThat(againstOriginal.answers())
        .containsSubsequence(
            "Server Response: Client user1 marked as connected.",
            "Server Response: Client user_1 marked as connected.",
            "Invalid argument error: Invalid message type: Hurrah",
            "Server Response: Client user_1 marked as disconnected.",
            "Client ID: user_1, Status: disconnected",
            "Client not found: Client ghost not found",
            "Client ID: user1, Status: connected",
            "Client ID: user_1, Status: disconnected",
            "Exiting client.");
    assertThat(againstOriginal.exitCode()).isZero();
    assertThat(againstOriginal.stderr()).isEmpty();
    assertThat(againstOriginal.stdout()).isEqualTo(againstOurs.stdout());
  }
}

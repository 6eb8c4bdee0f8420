package org.connectionregistry.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.qameta.allure.Allure;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.connectionregistry.testsupport.FreePort;
import org.connectionregistry.testsupport.ServerProcess;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What the two launchers do at their edges: help, bad arguments, a busy port, shutdown, no server. */
@DisplayName("End to end: the launchers at their edges")
class LaunchersIT {

  @Test
  @DisplayName("the server stops on SIGTERM within 10 seconds with status 0 or 143")
  @Feature("Server")
  @Story("Starting and stopping")
  void serverStopsOnSigterm() throws Exception {
    try (ServerProcess server = Servers.start()) {
      ClientRun.against(server.target(), "1", "before_stop", "Hello", "3");

      int exitCode = server.terminate(Duration.ofSeconds(10));

      assertThat(exitCode).isIn(0, 143);
      assertThat(server.outputText()).contains("Server stopped.").doesNotContain("Exception");
    }
  }

  @Test
  @DisplayName("a client with no server says the target is unavailable, and the menu goes on")
  @Feature("Console client")
  @Story("Server unavailable")
  void clientWithoutServer() throws Exception {
    String target = "127.0.0.1:" + FreePort.onLoopback();

    ClientRun run = ClientRun.against(target, "1", "user1", "Hello", "2", "", "3");

    List<String> unavailable =
        run.answers().stream().filter(line -> line.contains("unavailable")).toList();
    assertThat(unavailable).hasSize(2).allSatisfy(line -> assertThat(line).contains(target));
    assertThat(run.answers()).last().isEqualTo("Exiting client.");
    assertThat(run.exitCode()).isZero();
    assertThat(run.stdout() + run.stderr()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  @DisplayName("--help describes both launchers' options")
  @Feature("Console client")
  @Feature("Server")
  @Story("Command-line options")
  void help() throws Exception {
    ClientRun clientHelp = ClientRun.of("", "--help");
    assertThat(clientHelp.exitCode()).isZero();
    assertThat(clientHelp.stdout()).contains("--target", "localhost:50051", "--deadline");

    ServerExit serverHelp = ServerExit.of("--help");
    assertThat(serverHelp.exitCode()).isZero();
    assertThat(serverHelp.output()).contains("--host", "--port", "50051", "0.0.0.0");
  }

  @Test
  @DisplayName("a bad option is one clear message and exit code 2, never a stack trace")
  @Feature("Console client")
  @Story("Command-line options")
  void badOption() throws Exception {
    ClientRun run = ClientRun.of("", "--deadline", "soon");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr()).contains("'soon' is not a duration").doesNotContain("\tat ");
  }

  @Test
  @DisplayName("a port already in use stops the server with one clear line and a non-zero exit code")
  @Feature("Server")
  @Story("Starting and stopping")
  void portInUse() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Allure.step("something else already listens on 127.0.0.1:" + taken.getLocalPort());
      ServerExit server =
          ServerExit.of("--host", "127.0.0.1", "--port", String.valueOf(taken.getLocalPort()));

      assertThat(server.exitCode()).isNotZero();
      assertThat(server.output())
          .contains("cannot listen on 127.0.0.1:" + taken.getLocalPort())
          .doesNotContain("\tat ");
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}

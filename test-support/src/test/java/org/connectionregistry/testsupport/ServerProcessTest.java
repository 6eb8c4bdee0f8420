package org.connectionregistry.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@Feature("Test support")
@Story("Servers as processes")
@DisplayName("Test support: a server run as a child process")
class ServerProcessTest {

  private static ServerProcess.Starter tinyServer(String name, String arg, int port) {
    List<String> command =
        JavaCommand.of(
            List.of("-cp", System.getProperty("java.class.path")),
            List.of(TinyServer.class.getName(), arg));
    return ServerProcess.command(name, command, port).readyWhenPrinting("listening on");
  }

  @Test
  @DisplayName("a started server accepts connections, and SIGTERM stops it with its last words kept")
  void aStartedServerAcceptsConnectionsAndStopsOnSigterm() throws Exception {
    int port = FreePort.onLoopback();
    List<String> logs = new ArrayList<>();

    try (ServerProcess server =
        tinyServer("tiny", String.valueOf(port), port)
            .afterStop(stopped -> logs.add(stopped.outputText()))
            .start()) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      }
      assertThat(server.target()).isEqualTo("127.0.0.1:" + port);

      int exitCode = server.terminate(Duration.ofSeconds(10));

      assertThat(exitCode).isEqualTo(143); // 128 + SIGTERM
      assertThat(server.isAlive()).isFalse();
      assertThat(server.outputText()).contains("listening on " + port, "stopping");
    }
    assertThat(logs).as("the stop is reported once, with everything printed").hasSize(1);
    assertThat(logs.get(0)).contains("stopping");
  }

  @Test
  @DisplayName("a server that exits before it is ready fails to start, quoting what it printed")
  void aServerThatExitsBeforeItIsReadyFailsToStart() {
    assertThatThrownBy(() -> tinyServer("broken", "fail", FreePort.onLoopback()).start())
        .isInstanceOf(IOException.class)
        .hasMessageContaining("The broken server exited with code 3 before it was ready")
        .hasMessageContaining("cannot start");
  }

  @Test
  @DisplayName("a server that never prints its ready line is stopped after the start timeout")
  void aServerThatIsNeverReadyIsStoppedAfterTheTimeout() {
    int port = FreePort.onLoopback();
    ServerProcess.Starter silent =
        tinyServer("silent", String.valueOf(port), port)
            .readyWhenPrinting("a line it never prints")
            .startTimeout(Duration.ofMillis(5000))
            .stopGrace(Duration.ZERO);

    assertThatThrownBy(silent::start)
        .isInstanceOf(IOException.class)
        .hasMessageContaining("The silent server printed no ready line within 5s")
        .hasMessageContaining("listening on " + port);
    assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive))
        .as("no server left running")
        .isEmpty();
  }

  @Test
  @DisplayName("waiting for a line the server never prints fails, quoting what it did print")
  void waitingForALineThatNeverComesFails() throws Exception {
    int port = FreePort.onLoopback();
    try (ServerProcess server = tinyServer("tiny", String.valueOf(port), port).start()) {
      assertThat(server.awaitLine(line -> line.startsWith("listening"), Duration.ofSeconds(5)))
          .isEqualTo("listening on " + port);
      assertThatThrownBy(() -> server.awaitLine(line -> line.equals("never"), Duration.ofMillis(300)))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("did not print the expected line within 300ms")
          .hasMessageContaining("listening on " + port);
    }
  }

  @Test
  @DisplayName("a free port is on the loopback address and nobody listens on it")
  void aFreePortIsFree() throws IOException {
    int port = FreePort.onLoopback();

    assertThat(port).isBetween(1, 65535);
    try (var socket = new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
      assertThat(socket.getLocalPort()).isEqualTo(port);
    }
  }
}

package org.connectionregistry.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.qameta.allure.Allure;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.proto.ClientServiceGrpc;
import org.connectionregistry.proto.MessageRequest;
import org.connectionregistry.testsupport.ServerProcess;
import org.connectionregistry.testsupport.TcpProxy;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The console client's watch mode end to end: a server process and a watching client process. */
@Feature("Watch")
@DisplayName("Console watch mode with real processes")
class WatchIT {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String TIME = "\\d\\d:\\d\\d:\\d\\d";

  @Test
  @Story("The console client's watch mode")
  @DisplayName("the watch mode prints the registry, each change in words, and resumes by itself after a cut connection")
  void watchModeEndToEnd() throws Exception {
    try (ServerProcess server = Servers.start();
        TcpProxy proxy = new TcpProxy(server.port());
        Sender sender = new Sender(server.target())) {
      sender.send("user_1", "Hello");
      sender.send("user_2", "Goodbye");
      try (WatchingClient client = WatchingClient.start("127.0.0.1:" + proxy.port())) {
        client.awaitLine(
            line -> line.equals("Registry at #2: 2 clients listed (1 connected, 1 disconnected). Watching for changes."),
            "the snapshot's summary", WAIT);
        assertThat(client.lines()).anyMatch(line -> line.matches("  user_1  connected  since \\S+ " + TIME + "  #1"));

        sender.send("user_3", "Hello");
        client.awaitLine(line -> line.matches(TIME + "  user_3  connected  \\(hello\\)  #3"), "user_3's Hello", WAIT);

        Allure.step("the watcher's connection is cut (both sockets closed)", proxy::cut);
        client.awaitLine(line -> line.startsWith("Connection lost: "), "the break", WAIT);
        sender.send("user_1", "Goodbye"); // made while the watcher is away
        client.awaitLine(line -> line.equals("Back: watching changes after #3 again."), "the resume", WAIT);
        client.awaitLine(line -> line.matches(TIME + "  user_1  disconnected  \\(goodbye\\)  #4"), "the change made while away", WAIT);
        sender.send("user_2", "Hello");
        client.awaitLine(line -> line.matches(TIME + "  user_2  connected  \\(hello\\)  #5"), "user_2's Hello", WAIT);

        assertThat(client.endInput()).isZero();
        assertThat(client.lines().stream().filter(line -> line.matches(TIME + "  .*  #\\d+")))
            .as("each change once, in order")
            .hasSize(3);
      }
    }
  }

  @Test
  @Story("A compacted revision is a clear error")
  @DisplayName("watch --from a revision older than --watch-history keeps is refused in words, exit code 1")
  void fromTooOld() throws Exception {
    try (ServerProcess server = Servers.start("--watch-history", "10");
        Sender sender = new Sender(server.target())) {
      for (int i = 0; i < 30; i++) {
        sender.send("user_" + i, "Hello");
      }
      try (WatchingClient client = WatchingClient.start(server.target(), "--from", "1")) {
        assertThat(client.awaitExit()).isEqualTo(1);
        assertThat(client.lines())
            .contains("Cannot watch: Revision 1 is no longer kept: changes are kept after revision 20"
                + " only. List the clients again and watch from the listing's revision.");
      }
    }
  }

  @Test
  @Story("A watch from a revision resumes")
  @DisplayName("watch --from prints only the changes after that revision, without the registry")
  void fromARevision() throws Exception {
    try (ServerProcess server = Servers.start("--watch-progress-interval", "200ms");
        Sender sender = new Sender(server.target())) {
      sender.send("user_1", "Hello");
      sender.send("user_2", "Hello");
      try (WatchingClient client = WatchingClient.start(server.target(), "--from", "1")) {
        client.awaitLine(line -> line.matches(TIME + "  user_2  connected  \\(hello\\)  #2"), "change #2", WAIT);
        Thread.sleep(600); // progress notifications pass silently
        assertThat(client.endInput()).isZero();
        assertThat(client.lines()).hasSize(2);
        assertThat(client.lines().get(0)).isEqualTo("Watching changes after #1 until Ctrl-C or end of input.");
        assertThat(client.lines().get(1)).matches(TIME + "  user_2  connected  \\(hello\\)  #2");
      }
    }
  }

  /** Sends Hello and Goodbye over gRPC, as any client would. */
  private static final class Sender implements AutoCloseable {
    private final ManagedChannel channel;

    Sender(String target) {
      channel = ManagedChannelBuilder.forTarget(target).usePlaintext().build();
    }

    void send(String clientId, String message) {
      ClientServiceGrpc.newBlockingStub(channel)
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .sendMessage(MessageRequest.newBuilder().setClientId(clientId).setMessage(message).build());
    }

    @Override
    public void close() throws InterruptedException {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}

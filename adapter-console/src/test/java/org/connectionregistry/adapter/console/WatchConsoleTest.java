package org.connectionregistry.adapter.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.application.port.in.FollowRegistryUseCase;
import org.connectionregistry.application.port.in.WatchEvent;
import org.connectionregistry.domain.ChangeReason;
import org.connectionregistry.domain.ClientChange;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.RevisionCompactedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The watch mode's words, driven by a follow the test scripts. */
@Feature("Watch")
@Story("The console client's watch mode")
@DisplayName("Console watch mode: one line per change in words, the registry first, breaks said")
class WatchConsoleTest {

  private static final Instant AT = Instant.parse("2026-11-25T10:42:03Z");

  private final ScriptedFollow follow = new ScriptedFollow();
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PipedOutputStream input = new PipedOutputStream();
  private CompletableFuture<Integer> exit;

  @AfterEach
  void endInput() throws Exception {
    input.close();
  }

  private WatchConsole start(OptionalLong from) throws Exception {
    WatchConsole console =
        new WatchConsole(
            follow, from, new PipedInputStream(input),
            new PrintStream(bytes, true, StandardCharsets.UTF_8), ZoneOffset.UTC);
    exit = CompletableFuture.supplyAsync(console::run);
    follow.started.get(5, TimeUnit.SECONDS);
    return console;
  }

  @Test
  @DisplayName("the registry first, a client a line and a summary, then a line per change: time, who, what, why, revision")
  void snapshotThenChanges() throws Exception {
    start(OptionalLong.empty());
    FollowRegistryUseCase.Follower follower = follow.follower;

    follower.event(new WatchEvent.SnapshotPage(List.of(
        new ClientConnection(ClientId.of("user_1"), ConnectionStatus.CONNECTED, 3, AT),
        new ClientConnection(ClientId.of("user_2"), ConnectionStatus.DISCONNECTED, 5, AT))));
    follower.event(new WatchEvent.Changes(List.of(change(6, "user_3", ConnectionStatus.CONNECTED, ChangeReason.HELLO))));
    follower.event(new WatchEvent.SnapshotComplete(6));
    follower.event(new WatchEvent.Progress(6));
    follower.event(new WatchEvent.Changes(List.of(change(17, "user_1", ConnectionStatus.DISCONNECTED, ChangeReason.SESSION_LOST))));
    input.close();

    assertThat(exit.get(5, TimeUnit.SECONDS)).isZero();
    assertThat(lines())
        .containsExactly(
            "Watching the registry until Ctrl-C or end of input.",
            "  user_1  connected  since 2026-11-25 10:42:03  #3",
            "  user_2  disconnected  since 2026-11-25 10:42:03  #5",
            "10:42:03  user_3  connected  (hello)  #6",
            "Registry at #6: 2 clients listed (1 connected, 1 disconnected), 1 changes while listing. Watching for changes.",
            "10:42:03  user_1  disconnected  (session lost)  #17");
    assertThat(follow.closed).isTrue();
  }

  @Test
  @DisplayName("a broken connection is said once, and so is its mending")
  void breakAndResume() throws Exception {
    start(OptionalLong.of(16));
    FollowRegistryUseCase.Follower follower = follow.follower;

    follower.interrupted("server 127.0.0.1:1 unavailable");
    follower.interrupted("server 127.0.0.1:1 unavailable");
    follower.resumed(OptionalLong.of(16));
    follower.event(new WatchEvent.Changes(List.of(change(17, "user_1", ConnectionStatus.CONNECTED, ChangeReason.HELLO))));
    input.close();

    assertThat(exit.get(5, TimeUnit.SECONDS)).isZero();
    assertThat(lines())
        .containsExactly(
            "Watching changes after #16 until Ctrl-C or end of input.",
            "Connection lost: server 127.0.0.1:1 unavailable. Reconnecting...",
            "Back: watching changes after #16 again.",
            "10:42:03  user_1  connected  (hello)  #17");
  }

  @Test
  @DisplayName("a --from the server no longer keeps is said plainly, with exit code 1")
  void fromTooOld() throws Exception {
    start(OptionalLong.of(3));

    follow.follower.failed(new RevisionCompactedException(3, 20));

    assertThat(exit.get(5, TimeUnit.SECONDS)).isEqualTo(1);
    assertThat(lines()).last().isEqualTo("Cannot watch: Revision 3 is no longer kept: changes are kept"
        + " after revision 20 only. List the clients again and watch from the listing's revision.");
  }

  @Test
  @DisplayName("changes missed in an outage longer than the history: it says so and lists again")
  void relistsAfterALongOutage() throws Exception {
    start(OptionalLong.of(16));
    follow.follower.event(new WatchEvent.Progress(16));

    follow.follower.failed(new RevisionCompactedException(16, 900));

    assertThat(follow.froms).containsExactly(OptionalLong.of(16), OptionalLong.empty());
    assertThat(lines()).last().asString().startsWith("Missed changes are no longer kept on the server (")
        .endsWith("). Listing the registry again.");
    input.close();
    assertThat(exit.get(5, TimeUnit.SECONDS)).isZero();
  }

  private List<String> lines() {
    return bytes.toString(StandardCharsets.UTF_8).lines().toList();
  }

  private static ClientChange change(long revision, String id, ConnectionStatus status, ChangeReason reason) {
    return new ClientChange(revision, ClientId.of(id), status, reason, AT);
  }

  private static final class ScriptedFollow implements FollowRegistryUseCase {
    final CompletableFuture<Void> started = new CompletableFuture<>();
    final List<OptionalLong> froms = new ArrayList<>();
    volatile Follower follower;
    volatile boolean closed;

    @Override
    public Following follow(OptionalLong afterRevision, Follower follower) {
      froms.add(afterRevision);
      this.follower = follower;
      started.complete(null);
      return () -> closed = true;
    }
  }
}

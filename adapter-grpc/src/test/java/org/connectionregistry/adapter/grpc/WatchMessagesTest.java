package org.connectionregistry.adapter.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.connectionregistry.application.port.in.WatchEvent;
import org.connectionregistry.application.port.in.WatcherTooSlowException;
import org.connectionregistry.domain.ChangeReason;
import org.connectionregistry.domain.ClientChange;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientCounts;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.RevisionCompactedException;
import org.connectionregistry.proto.ListedClient;
import org.connectionregistry.proto.WatchResponse;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Watch messages and watch errors, each mapping tested as a round trip with its inverse. */
@Feature("Watch")
@Story("Watch messages on the wire")
@DisplayName("Watch messages and statuses: what the server sends, the client reads back unchanged")
class WatchMessagesTest {

  private static final Instant AT = Instant.parse("2026-11-25T10:42:03.123456789Z");
  private static final ClientChange CHANGE =
      new ClientChange(17, ClientId.of("user_1"), ConnectionStatus.CONNECTED, ChangeReason.HELLO, AT);

  @Test
  @DisplayName("every kind of watch event comes back as itself, with nanosecond times")
  void eventsRoundTrip() {
    List<WatchEvent> events =
        List.of(
            new WatchEvent.SnapshotPage(
                List.of(
                    new ClientConnection(ClientId.of("a"), ConnectionStatus.CONNECTED, 3, AT),
                    new ClientConnection(ClientId.of("b"), ConnectionStatus.DISCONNECTED, 9, AT))),
            new WatchEvent.Changes(
                List.of(
                    CHANGE,
                    new ClientChange(
                        18, ClientId.of("user_2"), ConnectionStatus.DISCONNECTED,
                        ChangeReason.SESSION_LOST, AT.plusSeconds(1)))),
            new WatchEvent.SnapshotComplete(18),
            new WatchEvent.Progress(18));

    for (WatchEvent event : events) {
      assertThat(WatchMessages.fromResponse(WatchMessages.toResponse(event))).containsExactly(event);
    }
  }

  @Test
  @DisplayName("a message with only a revision is a progress; a changes message carries its last revision")
  void revisionOfAMessage() {
    assertThat(WatchMessages.fromResponse(WatchResponse.newBuilder().setRevision(5).build()))
        .containsExactly(new WatchEvent.Progress(5));
    assertThat(WatchMessages.toResponse(new WatchEvent.Changes(List.of(CHANGE))).getRevision())
        .isEqualTo(17);
    assertThat(WatchMessages.toProto(CHANGE).getReason()).isEqualTo("hello");
  }

  @Test
  @DisplayName("a listed client from a server that keeps no revisions has neither revision nor since")
  void listedWithoutRevision() {
    ClientConnection plain = new ClientConnection(ClientId.of("a"), ConnectionStatus.CONNECTED);
    ListedClient listed = WatchMessages.toListed(plain);

    assertThat(listed.hasSince()).isFalse();
    assertThat(listed.getRevision()).isZero();
    assertThat(WatchMessages.fromListed(listed)).isEqualTo(plain);
  }

  @Test
  @DisplayName("counts come back as they were sent")
  void countsRoundTrip() {
    ClientCounts counts = new ClientCounts(7, 3, 42);
    assertThat(WatchMessages.fromProto(WatchMessages.toProto(counts))).isEqualTo(counts);
  }

  @Test
  @DisplayName("a compacted revision is OUT_OF_RANGE naming the oldest start, and comes back as itself")
  void compactedRoundTrip() {
    RevisionCompactedException thrown = new RevisionCompactedException(3, 20);
    Status status = StatusMapping.toStatus(thrown);

    assertThat(status.getCode()).isEqualTo(Status.Code.OUT_OF_RANGE);
    assertThat(status.getDescription()).contains("kept after revision 20");
    RuntimeException back =
        new StatusMapping("server", Duration.ofSeconds(1)).watchFailed(status.asRuntimeException());
    assertThat(back).isInstanceOfSatisfying(RevisionCompactedException.class, e -> {
      assertThat(e.requested()).isEqualTo(3);
      assertThat(e.compacted()).isEqualTo(20);
      assertThat(e.getMessage()).isEqualTo(thrown.getMessage());
    });
  }

  @Test
  @DisplayName("a watcher cut off is RESOURCE_EXHAUSTED naming where to resume, and comes back as itself")
  void tooSlowRoundTrip() {
    WatcherTooSlowException thrown = new WatcherTooSlowException(1234, 60_000);
    Status status = StatusMapping.toStatus(thrown);

    assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(status.getDescription()).contains("after revision 1234");
    RuntimeException back =
        new StatusMapping("server", Duration.ofSeconds(1)).watchFailed(status.asRuntimeException());
    assertThat(back).isInstanceOfSatisfying(WatcherTooSlowException.class, e -> {
      assertThat(e.resumeAfter()).isEqualTo(1234);
      assertThat(e.behind()).isEqualTo(60_000);
    });
  }
}

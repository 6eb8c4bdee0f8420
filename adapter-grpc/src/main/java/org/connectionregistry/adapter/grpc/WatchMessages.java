package org.connectionregistry.adapter.grpc;

import com.google.protobuf.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.connectionregistry.application.port.in.WatchEvent;
import org.connectionregistry.domain.ChangeReason;
import org.connectionregistry.domain.ClientChange;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientCounts;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.proto.CountClientsResponse;
import org.connectionregistry.proto.ListedClient;
import org.connectionregistry.proto.WatchResponse;

/**
 * Entries, changes, counts and watch events on the wire and back, in one place, so that the
 * server's side and the client's side cannot drift apart (their round trip is tested).
 */
public final class WatchMessages {

  private WatchMessages() {}

  // ---- Entries ----

  /** A listed client with its revision and {@code since}, when its source keeps them. */
  public static ListedClient toListed(ClientConnection client) {
    ListedClient.Builder listed =
        ListedClient.newBuilder()
            .setClientId(client.clientId().value())
            .setStatus(client.status().label());
    if (client.revision() != ClientConnection.NO_REVISION) {
      listed.setRevision(client.revision()).setSince(toTimestamp(client.since()));
    }
    return listed.build();
  }

  /**
   * The entry a listed client stands for; one without a revision (from a server that keeps
   * none) has neither revision nor since.
   *
   * @throws IllegalArgumentException if the client ID or status is not one we know
   */
  public static ClientConnection fromListed(ListedClient listed) {
    ClientId clientId = ClientId.of(listed.getClientId());
    ConnectionStatus status = ConnectionStatus.fromLabel(listed.getStatus());
    if (listed.getRevision() == 0 || !listed.hasSince()) {
      return new ClientConnection(clientId, status);
    }
    return new ClientConnection(clientId, status, listed.getRevision(), toInstant(listed.getSince()));
  }

  // ---- Changes ----

  public static org.connectionregistry.proto.ClientChange toProto(ClientChange change) {
    return org.connectionregistry.proto.ClientChange.newBuilder()
        .setRevision(change.revision())
        .setClientId(change.clientId().value())
        .setStatus(change.status().label())
        .setReason(change.reason().label())
        .setAt(toTimestamp(change.at()))
        .build();
  }

  /** @throws IllegalArgumentException if a field holds something we do not know */
  public static ClientChange fromProto(org.connectionregistry.proto.ClientChange change) {
    return new ClientChange(
        change.getRevision(),
        ClientId.of(change.getClientId()),
        ConnectionStatus.fromLabel(change.getStatus()),
        ChangeReason.fromLabel(change.getReason()),
        toInstant(change.getAt()));
  }

  // ---- Counts ----

  public static CountClientsResponse toProto(ClientCounts counts) {
    return CountClientsResponse.newBuilder()
        .setConnected(counts.connected())
        .setDisconnected(counts.disconnected())
        .setRevision(counts.revision())
        .build();
  }

  public static ClientCounts fromProto(CountClientsResponse counts) {
    return new ClientCounts(counts.getConnected(), counts.getDisconnected(), counts.getRevision());
  }

  // ---- Watch events ----

  /**
   * The message for one event: a snapshot page, changes (with the revision of the last one),
   * the end of the snapshot (its revision), or a progress notification (only the revision).
   */
  public static WatchResponse toResponse(WatchEvent event) {
    WatchResponse.Builder response = WatchResponse.newBuilder();
    if (event instanceof WatchEvent.SnapshotPage page) {
      page.clients().forEach(client -> response.addSnapshot(toListed(client)));
    } else if (event instanceof WatchEvent.Changes changes) {
      changes.changes().forEach(change -> response.addChanges(toProto(change)));
      response.setRevision(changes.changes().get(changes.changes().size() - 1).revision());
    } else if (event instanceof WatchEvent.SnapshotComplete complete) {
      response.setSnapshotComplete(true).setRevision(complete.revision());
    } else if (event instanceof WatchEvent.Progress progress) {
      response.setRevision(progress.revision());
    } else {
      throw new IllegalArgumentException("unknown watch event " + event);
    }
    return response.build();
  }

  /**
   * The events one message stands for, in the order its parts are applied: snapshot clients,
   * changes, then the end of the snapshot; a message with only a revision is a progress.
   *
   * @throws IllegalArgumentException if a part holds something we do not know
   */
  public static List<WatchEvent> fromResponse(WatchResponse response) {
    List<WatchEvent> events = new ArrayList<>(2);
    if (response.getSnapshotCount() > 0) {
      List<ClientConnection> clients = new ArrayList<>(response.getSnapshotCount());
      response.getSnapshotList().forEach(listed -> clients.add(fromListed(listed)));
      events.add(new WatchEvent.SnapshotPage(clients));
    }
    if (response.getChangesCount() > 0) {
      List<ClientChange> changes = new ArrayList<>(response.getChangesCount());
      response.getChangesList().forEach(change -> changes.add(fromProto(change)));
      events.add(new WatchEvent.Changes(changes));
    }
    if (response.getSnapshotComplete()) {
      events.add(new WatchEvent.SnapshotComplete(response.getRevision()));
    }
    if (events.isEmpty()) {
      events.add(new WatchEvent.Progress(response.getRevision()));
    }
    return events;
  }

  private static Timestamp toTimestamp(Instant at) {
    return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()).build();
  }

  private static Instant toInstant(Timestamp at) {
    return Instant.ofEpochSecond(at.getSeconds(), at.getNanos());
  }
}

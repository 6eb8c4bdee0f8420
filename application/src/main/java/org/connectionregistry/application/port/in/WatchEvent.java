package org.connectionregistry.application.port.in;

import java.util.List;
import org.connectionregistry.domain.ClientChange;
import org.connectionregistry.domain.ClientConnection;

/** What a {@link RegistryWatch} hands its watcher, one after another. */
public sealed interface WatchEvent {

  /**
   * Part of the snapshot a watch without a starting revision begins with: clients in client-ID
   * order, each with the revision and time of its last change.
   */
  record SnapshotPage(List<ClientConnection> clients) implements WatchEvent {
    public SnapshotPage {
      clients = List.copyOf(clients);
    }
  }

  /**
   * Changes in revision order, each once. Before {@link SnapshotComplete}, the changes made while
   * the snapshot was read that its pages do not already show.
   */
  record Changes(List<ClientChange> changes) implements WatchEvent {
    public Changes {
      changes = List.copyOf(changes);
    }
  }

  /**
   * The snapshot is over: the pages and changes before this make up the registry exactly as it
   * was at {@code revision}. Every change after it follows.
   */
  record SnapshotComplete(long revision) implements WatchEvent {}

  /** Nothing changed for a while: the watcher is current to {@code revision}. */
  record Progress(long revision) implements WatchEvent {}
}

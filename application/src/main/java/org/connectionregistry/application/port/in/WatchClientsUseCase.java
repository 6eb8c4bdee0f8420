package org.connectionregistry.application.port.in;

import java.util.OptionalLong;

/** Anyone follows the registry as it changes: a snapshot, then every change, or changes after a revision. */
public interface WatchClientsUseCase {

  /**
   * Starts a watch.
   *
   * @param afterRevision every change after this revision; empty: the registry first (snapshot
   *     pages, the changes made while they were read, then {@link WatchEvent.SnapshotComplete}),
   *     then every later change
   * @param onReady called when {@link RegistryWatch#next} may have something new after it
   *     returned empty; must only schedule the next read
   * @throws org.connectionregistry.domain.RevisionCompactedException at once if the changes after
   *     {@code afterRevision} are no longer all kept
   */
  RegistryWatch watch(OptionalLong afterRevision, Runnable onReady);
}

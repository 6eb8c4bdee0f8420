package org.connectionregistry.application.port.in;

import java.util.OptionalLong;

/**
 * Anyone follows a registry that lives elsewhere (a server) as it changes, and keeps following
 * through broken connections: the events of a {@link WatchClientsUseCase watch}, pushed in order,
 * resumed after the last revision seen whenever the connection comes back, so nothing is missed
 * or repeated.
 */
public interface FollowRegistryUseCase {

  /**
   * Starts following.
   *
   * @param afterRevision every change after this revision; empty: the registry first (snapshot
   *     pages and the changes made meanwhile, then {@link WatchEvent.SnapshotComplete}), then
   *     every later change
   * @param follower told of every event, in order, on one thread at a time
   */
  Following follow(OptionalLong afterRevision, Follower follower);

  /** A follow in progress. */
  interface Following extends AutoCloseable {
    /** Stops following; the follower hears nothing more. Harmless twice. */
    @Override
    void close();
  }

  /** What a follow tells its caller, one call at a time. */
  interface Follower {

    /** The next event. After a {@link #resumed} these continue exactly where the last left off. */
    void event(WatchEvent event);

    /** The connection broke: following resumes by itself as soon as it can. Told once per outage. */
    void interrupted(String why);

    /**
     * Following is back after {@link #interrupted}: resumed after {@code afterRevision}, or, when
     * it is empty (the break came during the snapshot), with a new snapshot from its first page:
     * what the broken one delivered is to be dropped.
     */
    void resumed(OptionalLong afterRevision);

    /**
     * Following is over for good: a {@link org.connectionregistry.domain.RevisionCompactedException}
     * (the changes after the revision are no longer kept: list again, or follow without a
     * revision), or a refusal (not allowed, not supported by the server).
     */
    void failed(RuntimeException failure);
  }
}

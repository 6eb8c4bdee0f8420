package org.connectionregistry.domain;

/**
 * The registry's recent changes and every change from now on, in revision order: how watchers
 * follow the registry. Each store keeps a bounded window of history (see {@link ChangeHistory});
 * a change older than the window is compacted away.
 */
public interface ChangeFeed {

  /** The revision of the newest change this feed holds; 0 before the first change. */
  long latestRevision();

  /**
   * The newest revision no longer kept (0 while nothing has been dropped): a cursor can start
   * after this revision or any later one.
   */
  long compactedRevision();

  /**
   * A cursor that reads the changes after {@code revision}, in order, each once. {@code onChange}
   * is called, on a thread of the feed (never the writer's), when a cursor that found nothing new
   * may now find something: it must only schedule work, never do it. A revision above {@link
   * #latestRevision()} is allowed: the cursor waits for it.
   *
   * @throws RevisionCompactedException if changes after {@code revision} are no longer all kept
   * @throws IllegalArgumentException if {@code revision} is negative
   */
  ChangeCursor openAfter(long revision, Runnable onChange);
}

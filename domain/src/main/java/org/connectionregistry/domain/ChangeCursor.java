package org.connectionregistry.domain;

import java.util.List;

/** A reader's place in a {@link ChangeFeed}. Used by one thread at a time. */
public interface ChangeCursor extends AutoCloseable {

  /**
   * Up to {@code max} changes after the cursor's position, in revision order, moving the
   * position past them; an empty list when there are none yet, after which the feed calls the
   * cursor's {@code onChange} when there are. Never waits.
   *
   * @throws RevisionCompactedException if the feed dropped changes this cursor had not read: it
   *     fell too far behind
   */
  List<ClientChange> poll(int max);

  /** The revision of the last change read (or the one the cursor was opened after). */
  long position();

  /** Stops notifications; harmless twice. */
  @Override
  void close();
}

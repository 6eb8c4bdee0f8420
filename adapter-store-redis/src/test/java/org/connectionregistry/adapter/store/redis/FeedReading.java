package org.connectionregistry.adapter.store.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.domain.ChangeCursor;
import org.connectionregistry.domain.ChangeFeed;
import org.connectionregistry.domain.ClientChange;

/** Reads a change feed as a watcher would: polls until enough changes came or time ran out. */
final class FeedReading {

  private FeedReading() {}

  /** Up to {@code count} changes after {@code revision}, waiting at most {@code seconds}. */
  static List<ClientChange> changesAfter(ChangeFeed feed, long revision, int count, int seconds)
      throws InterruptedException {
    try (ChangeCursor cursor = feed.openAfter(revision, () -> {})) {
      return read(cursor, count, seconds);
    }
  }

  /** Reads from an open cursor until {@code count} changes came or {@code seconds} passed. */
  static List<ClientChange> read(ChangeCursor cursor, int count, int seconds) throws InterruptedException {
    List<ClientChange> seen = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (seen.size() < count && System.nanoTime() < deadline) {
      List<ClientChange> read = cursor.poll(1000);
      if (read.isEmpty()) {
        Thread.sleep(5);
      }
      seen.addAll(read);
    }
    return seen;
  }
}

package org.connectionregistry.adapter.store.file;

import java.time.Duration;
import java.util.Objects;

/**
 * When the committer folds the changes made since the last checkpoint into the file's {@code
 * clients} map: after {@code changes} changes, or {@code interval} after the last checkpoint,
 * whichever comes first (and always before the kept history would drop a change the map lacks).
 * Between checkpoints a group commit writes only the new changes and the registry's state.
 */
record Checkpoints(long changes, Duration interval) {

  /**
   * About one checkpoint a second under load: a client that changes several times in that second
   * costs one write of its entry, and a restart after {@code kill -9} replays at most a second's
   * changes (or 50,000 of them).
   */
  static final Checkpoints DEFAULT = new Checkpoints(50_000, Duration.ofSeconds(1));

  Checkpoints {
    Objects.requireNonNull(interval, "interval");
    if (changes < 1) {
      throw new IllegalArgumentException("changes between checkpoints must be positive, got " + changes);
    }
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval between checkpoints must be positive, got " + interval);
    }
  }
}

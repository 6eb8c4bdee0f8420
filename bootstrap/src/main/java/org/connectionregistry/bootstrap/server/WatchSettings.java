package org.connectionregistry.bootstrap.server;

import java.time.Duration;
import org.connectionregistry.domain.ChangeHistory;

/**
 * How the server serves watchers.
 *
 * @param history how many of the latest changes every store keeps for watchers to resume from
 * @param progressInterval an idle watcher is told it is current this often
 * @param maxLag changes a watcher may fall behind before it is cut off; below {@code history},
 *     so that the watcher it cuts off can still resume
 */
public record WatchSettings(int history, Duration progressInterval, long maxLag) {

  public WatchSettings {
    if (history < 2) {
      throw new IllegalArgumentException("--watch-history must be at least 2, got " + history);
    }
    if (progressInterval.compareTo(Duration.ofMillis(10)) < 0) {
      throw new IllegalArgumentException(
          "--watch-progress-interval must be at least 10ms, got " + progressInterval.toMillis() + "ms");
    }
    if (maxLag < 1 || maxLag >= history) {
      throw new IllegalArgumentException(
          "--watch-max-lag must be at least 1 and below --watch-history (" + history + "), got "
              + maxLag);
    }
  }

  /** The default progress interval. */
  public static final Duration DEFAULT_PROGRESS_INTERVAL = Duration.ofSeconds(5);

  /** History as given, the max lag half of it. */
  public static WatchSettings of(int history, Duration progressInterval) {
    return new WatchSettings(history, progressInterval, Math.max(1, history / 2));
  }

  public static WatchSettings defaults() {
    return of(ChangeHistory.DEFAULT_CAPACITY, DEFAULT_PROGRESS_INTERVAL);
  }
}

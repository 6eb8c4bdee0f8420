package org.connectionregistry.bootstrap.server;

import java.time.Duration;

/**
 * How fast live sessions are judged, all from one promise: a client whose session is gone (its
 * process died, its link dropped or went silent) is shown disconnected within {@code timeout}.
 * A fifth of it goes to each keepalive interval and ping timeout (a silent peer is found within
 * two fifths), two fifths are the grace in which a client may come back unseen, and a fifth is
 * left for the store's write and the machine's delays.
 */
public record SessionSettings(Duration timeout) {

  /** The default promise: gone within 5 s. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  public SessionSettings {
    if (timeout.compareTo(Duration.ofMillis(100)) < 0) {
      throw new IllegalArgumentException(
          "--session-timeout must be at least 100ms, got " + timeout.toMillis() + "ms");
    }
  }

  public static SessionSettings defaults() {
    return new SessionSettings(DEFAULT_TIMEOUT);
  }

  /** How long a connection may be quiet before the server pings it. */
  public Duration keepaliveInterval() {
    return timeout.dividedBy(5);
  }

  /** How long the server waits for a ping's answer before it drops the connection. */
  public Duration keepaliveTimeout() {
    return timeout.dividedBy(5);
  }

  /** How long a lost session's client stays connected, in case it comes back. */
  public Duration grace() {
    return timeout.multipliedBy(2).dividedBy(5);
  }
}

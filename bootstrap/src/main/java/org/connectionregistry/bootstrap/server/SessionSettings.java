package org.connectionregistry.bootstrap.server;

import java.time.Duration;

/**
 * How fast live sessions are judged, all from one promise: a client whose session is gone (its
 * process died, its link dropped or went silent) is shown disconnected within {@code timeout}.
 * Of the default 5 s: a connection quiet for 1 s (a fifth) is pinged, and dropped if the answer
 * takes more than 1.5 s (three tenths: a busy peer or a GC pause must not look dead), so a silent
 * peer is found within 2.5 s; the grace, in which a client may come back unseen, is 2 s (two
 * fifths); 0.5 s is left for the store's write and the machine's delays.
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
    return timeout.multipliedBy(3).dividedBy(10);
  }

  /** How long a lost session's client stays connected, in case it comes back. */
  public Duration grace() {
    return timeout.multipliedBy(2).dividedBy(5);
  }

  /**
   * Several servers on one Redis: how often each renews its heartbeat, and how often each looks
   * for servers whose heartbeat is gone (a fifth of the timeout: 1 s).
   */
  public Duration serverHeartbeat() {
    return timeout.dividedBy(5);
  }

  /**
   * How long a server's heartbeat outlives its last renewal (the timeout: 5 s, i.e. five missed
   * renewals). A server killed is found within this plus one look ({@link #serverHeartbeat}), so
   * its sessions' clients are disconnected within {@link #serverExpiryBound()}.
   */
  public Duration serverTtl() {
    return timeout;
  }

  /** How long a survivor's claim on a dead server's sessions lasts should it die too. */
  public Duration claimLease() {
    return timeout.multipliedBy(6);
  }

  /** The promise for sessions held by a server that dies: twice the timeout (10 s). */
  public Duration serverExpiryBound() {
    return timeout.multipliedBy(2);
  }
}

package org.connectionregistry.application.port.out;

import java.time.Duration;

/**
 * Runs a task later: how sessions expire. A port, so that the rules of expiry are tested with a
 * clock that a test moves by hand.
 */
public interface Timer {

  /** Runs {@code task} once, after {@code delay}, unless cancelled first. */
  Cancellable schedule(Duration delay, Runnable task);

  /** A scheduled task. */
  interface Cancellable {
    /** Stops the task if it has not started; harmless afterwards. */
    void cancel();
  }
}

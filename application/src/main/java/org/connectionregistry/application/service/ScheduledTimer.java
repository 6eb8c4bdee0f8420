package org.connectionregistry.application.service;

import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.application.port.out.Timer;

/**
 * The {@link Timer} of a running server: one daemon thread, on which tasks only start store
 * writes (they never wait for them). Cancelled tasks are removed at once, so a hundred thousand
 * sessions that come and go leave nothing behind.
 */
public final class ScheduledTimer implements Timer, AutoCloseable {

  private final ScheduledThreadPoolExecutor executor;

  public ScheduledTimer(String threadName) {
    executor =
        new ScheduledThreadPoolExecutor(
            1,
            task -> {
              Thread thread = new Thread(task, threadName);
              thread.setDaemon(true);
              return thread;
            });
    executor.setRemoveOnCancelPolicy(true);
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    var future = executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    return () -> future.cancel(false);
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}

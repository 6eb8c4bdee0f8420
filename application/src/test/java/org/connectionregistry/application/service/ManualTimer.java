package org.connectionregistry.application.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.connectionregistry.application.port.out.Timer;

/** A {@link Timer} whose clock moves only when a test says so. */
final class ManualTimer implements Timer {

  private final List<Task> tasks = new ArrayList<>();
  private long now;

  @Override
  public synchronized Cancellable schedule(Duration delay, Runnable task) {
    Task scheduled = new Task(now + delay.toNanos(), task);
    tasks.add(scheduled);
    return () -> {
      synchronized (ManualTimer.this) {
        tasks.remove(scheduled);
      }
    };
  }

  /** Moves the clock on, running every task that falls due on the way, in order. */
  void advance(Duration by) {
    long until;
    synchronized (this) {
      until = now + by.toNanos();
    }
    while (true) {
      Task next;
      synchronized (this) {
        next = tasks.stream().filter(t -> t.due <= until).min(Comparator.comparingLong(t -> t.due)).orElse(null);
        if (next == null) {
          now = until;
          return;
        }
        tasks.remove(next);
        now = next.due;
      }
      next.task.run();
    }
  }

  synchronized int pending() {
    return tasks.size();
  }

  private record Task(long due, Runnable task) {}
}

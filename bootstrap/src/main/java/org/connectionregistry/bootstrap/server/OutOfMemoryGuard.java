package org.connectionregistry.bootstrap.server;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryNotificationInfo;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import javax.management.NotificationEmitter;

/**
 * Ends the process when the heap is exhausted, so that a supervisor restarts it, instead of
 * leaving it with its port open, health answering and every call hanging. The JVM flag
 * {@code -XX:+ExitOnOutOfMemoryError} would do this, but {@code java -jar} passes no flags and
 * the flag cannot be set once the JVM runs; so this watches the heap from inside:
 *
 * <ul>
 *   <li>after a garbage collection, if the old generation is still above {@value #FULL_AFTER_GC}
 *       of its maximum, the heap is as good as exhausted;
 *   <li>an {@link OutOfMemoryError} that reaches a thread's top ends the process too (errors on
 *       Netty's threads are caught by Netty, hence the first rule).
 * </ul>
 *
 * The process then prints one line to standard error and halts with exit code {@value #EXIT_CODE}.
 */
final class OutOfMemoryGuard {

  static final double FULL_AFTER_GC = 0.95;
  static final int EXIT_CODE = 3;

  private static boolean installed;

  private OutOfMemoryGuard() {}

  static synchronized void install() {
    if (installed) {
      return;
    }
    installed = true;
    Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler(
        (thread, failure) -> {
          if (failure instanceof OutOfMemoryError) {
            halt("out of memory on thread " + thread.getName());
          }
          if (previous != null) {
            previous.uncaughtException(thread, failure);
          } else {
            failure.printStackTrace();
          }
        });
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      long max = pool.getUsage().getMax();
      if (pool.getType() == MemoryType.HEAP
          && pool.isCollectionUsageThresholdSupported()
          && max > 0
          && isOldGeneration(pool.getName())) {
        pool.setCollectionUsageThreshold((long) (max * FULL_AFTER_GC));
      }
    }
    NotificationEmitter memory = (NotificationEmitter) ManagementFactory.getMemoryMXBean();
    memory.addNotificationListener(
        (notification, handback) -> {
          if (MemoryNotificationInfo.MEMORY_COLLECTION_THRESHOLD_EXCEEDED.equals(notification.getType())) {
            halt("the heap is still more than " + (int) (FULL_AFTER_GC * 100)
                + "% full after garbage collection");
          }
        },
        null,
        null);
  }

  private static boolean isOldGeneration(String pool) {
    return pool.contains("Old Gen") || pool.contains("Tenured") || pool.equals("ZHeap")
        || pool.contains("ZGC Old") || pool.equals("Shenandoah");
  }

  private static void halt(String why) {
    System.err.println(
        "connection-server: exiting: " + why + "; restart it (or raise -Xmx, or lower --max-clients).");
    System.err.flush();
    Runtime.getRuntime().halt(EXIT_CODE);
  }
}

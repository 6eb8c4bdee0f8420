package org.connectionregistry.adapter.grpc.security;

import io.github.bucket4j.Bucket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Log lines about callers' mistakes, at most a few a second: whoever sends bad requests must not
 * be able to fill the disk with our log. Lines over the limit are counted, and the next line
 * that is written says how many were left out.
 */
public final class RateLimitedLog {

  private final Logger log;
  private final Bucket lines;
  private final AtomicLong suppressed = new AtomicLong();

  /** At most {@code burst} lines at once, refilled at {@code perSecond} a second. */
  public RateLimitedLog(Logger log, int burst, int perSecond) {
    this.log = log;
    this.lines =
        Bucket.builder()
            .addLimit(limit -> limit.capacity(burst).refillGreedy(perSecond, Duration.ofSeconds(1)))
            .build();
  }

  /** Logs at INFO, unless the limit is reached. */
  public void info(String format, Object... arguments) {
    if (!log.isInfoEnabled()) {
      return;
    }
    if (!lines.tryConsume(1)) {
      suppressed.incrementAndGet();
      return;
    }
    long left = suppressed.getAndSet(0);
    if (left > 0) {
      log.info("({} similar lines left out) " + format, prepend(left, arguments));
    } else {
      log.info(format, arguments);
    }
  }

  /** Logs at WARN, unless the limit is reached. */
  public void warn(String format, Object... arguments) {
    if (!lines.tryConsume(1)) {
      suppressed.incrementAndGet();
      return;
    }
    long left = suppressed.getAndSet(0);
    if (left > 0) {
      log.warn("({} similar lines left out) " + format, prepend(left, arguments));
    } else {
      log.warn(format, arguments);
    }
  }

  private static Object[] prepend(Object first, Object[] rest) {
    Object[] all = new Object[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }
}

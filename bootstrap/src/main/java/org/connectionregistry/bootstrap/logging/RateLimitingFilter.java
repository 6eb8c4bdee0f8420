package org.connectionregistry.bootstrap.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import io.github.bucket4j.Bucket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Marker;

/**
 * Caps how many lines a second the loggers under {@code prefix} write (Bucket4j token bucket),
 * so that callers who send bad requests cannot flood the log: lines that callers cause, such as
 * {@code Warning: Invalid message type: ...}, are written one per request up to the limit, and
 * past it counted; the next line written is preceded by one saying how many were left out.
 * Configured in {@code logback.xml}; errors are never dropped.
 */
public final class RateLimitingFilter extends TurboFilter {

  private static final ThreadLocal<Boolean> REPORTING = ThreadLocal.withInitial(() -> false);

  private String prefix = "org.connectionregistry";
  private int linesPerSecond = 50;
  private int burst = 200;
  private Bucket lines;
  private final AtomicLong suppressed = new AtomicLong();

  public void setPrefix(String prefix) {
    this.prefix = prefix;
  }

  public void setLinesPerSecond(int linesPerSecond) {
    this.linesPerSecond = linesPerSecond;
  }

  public void setBurst(int burst) {
    this.burst = burst;
  }

  @Override
  public void start() {
    lines =
        Bucket.builder()
            .addLimit(
                limit ->
                    limit.capacity(Math.max(burst, 1))
                        .refillGreedy(Math.max(linesPerSecond, 1), Duration.ofSeconds(1)))
            .build();
    super.start();
  }

  @Override
  public FilterReply decide(
      Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (!isStarted()
        || format == null
        || level.isGreaterOrEqual(Level.ERROR)
        || REPORTING.get()
        || !logger.getName().startsWith(prefix)
        || !logger.isEnabledFor(level)) {
      return FilterReply.NEUTRAL;
    }
    if (!lines.tryConsume(1)) {
      suppressed.incrementAndGet();
      return FilterReply.DENY;
    }
    long left = suppressed.getAndSet(0);
    if (left > 0) {
      REPORTING.set(true);
      try {
        logger.warn("({} log lines were left out: more than {} a second)", left, linesPerSecond);
      } finally {
        REPORTING.set(false);
      }
    }
    return FilterReply.NEUTRAL;
  }
}

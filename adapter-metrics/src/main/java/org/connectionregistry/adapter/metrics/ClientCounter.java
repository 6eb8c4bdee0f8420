package org.connectionregistry.adapter.metrics;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.connectionregistry.application.port.in.CountClientsUseCase;
import org.connectionregistry.domain.ClientCounts;
import org.connectionregistry.domain.ConnectionStatus;

/**
 * Registered clients by status, as the store counts them ({@link CountClientsUseCase}: the store
 * keeps its counts as changes are made, so asking is one cheap call, never a walk through the
 * registry). A scrape asks afresh only if the last answer is older than the interval, so the two
 * status gauges of one scrape share one question. While the store cannot be reached the last
 * count stands (the store's own gauge says it is down); before the first answer there is none
 * (NaN).
 */
final class ClientCounter {

  /** How long a scrape waits for the store's answer before it reports the last one. */
  static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(2);

  private final CountClientsUseCase counts;
  private final long intervalNanos;
  private ClientCounts last;
  private long countedAt;

  ClientCounter(CountClientsUseCase counts, Duration interval) {
    this.counts = Objects.requireNonNull(counts, "counts");
    if (interval.isNegative()) {
      throw new IllegalArgumentException("interval must not be negative, got " + interval);
    }
    this.intervalNanos = interval.toNanos();
  }

  /** How many clients have {@code status}, asked at most one interval ago; NaN if never. */
  synchronized double count(ConnectionStatus status) {
    long now = System.nanoTime();
    if (last == null || now - countedAt >= intervalNanos) {
      ask(now);
    }
    if (last == null) {
      return Double.NaN;
    }
    return switch (status) {
      case CONNECTED -> last.connected();
      case DISCONNECTED -> last.disconnected();
    };
  }

  private void ask(long now) {
    try {
      last =
          counts
              .countClientsAsync()
              .toCompletableFuture()
              .get(ANSWER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      countedAt = now;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | RuntimeException storeUnreachable) {
      // Keep the last count; ask again at the next scrape rather than after a whole interval.
    }
  }
}

package org.connectionregistry.adapter.metrics;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.connectionregistry.application.port.in.ListClientsUseCase;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ConnectionStatus;

/**
 * Counts registered clients by status. The storage port has no count, so this pages through the
 * registry ({@link ListClientsUseCase#forEachClientPage}), which holds one page at a time, not
 * the whole list. A scrape counts afresh only if the last count is older than the interval;
 * scrapes in between, and the other status's gauge in the same scrape, reuse it. While the store
 * cannot be reached the last count stands (the store's own gauge says it is down); before the
 * first successful count there is none (NaN).
 */
final class ClientCounter {

  private final ListClientsUseCase clients;
  private final long intervalNanos;
  private Map<ConnectionStatus, Long> counts = Map.of();
  private long countedAt;
  private boolean counted;

  ClientCounter(ListClientsUseCase clients, Duration interval) {
    this.clients = Objects.requireNonNull(clients, "clients");
    if (interval.isNegative()) {
      throw new IllegalArgumentException("interval must not be negative, got " + interval);
    }
    this.intervalNanos = interval.toNanos();
  }

  /** How many clients have {@code status}, counted at most one interval ago; NaN if never. */
  synchronized double count(ConnectionStatus status) {
    long now = System.nanoTime();
    if (!counted || now - countedAt >= intervalNanos) {
      recount(now);
    }
    Long count = counts.get(status);
    return count == null ? Double.NaN : count;
  }

  private void recount(long now) {
    Map<ConnectionStatus, Long> fresh = new EnumMap<>(ConnectionStatus.class);
    for (ConnectionStatus status : ConnectionStatus.values()) {
      fresh.put(status, 0L);
    }
    try {
      clients.forEachClientPage(
          (List<ClientConnection> page) -> {
            for (ClientConnection client : page) {
              fresh.merge(client.status(), 1L, Long::sum);
            }
          });
    } catch (RuntimeException storeUnreachable) {
      // Keep the last count; try again at the next scrape rather than after a whole interval.
      return;
    }
    counts = fresh;
    countedAt = now;
    counted = true;
  }
}

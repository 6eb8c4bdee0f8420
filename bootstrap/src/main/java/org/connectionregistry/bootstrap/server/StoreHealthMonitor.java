package org.connectionregistry.bootstrap.server;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.adapter.grpc.server.GrpcServer;
import org.connectionregistry.domain.ConnectionRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the health service truthful about the store: NOT_SERVING while the store cannot be
 * reached, SERVING again once it is back, so load balancers send calls to servers that can
 * answer them. Calls themselves fail fast with UNAVAILABLE meanwhile; nothing here retries them.
 */
final class StoreHealthMonitor implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(StoreHealthMonitor.class);

  private final ConnectionRegistry registry;
  private final GrpcServer server;
  private final StoreSpec store;
  private final ScheduledExecutorService scheduler;
  private boolean available = true;

  private StoreHealthMonitor(ConnectionRegistry registry, GrpcServer server, StoreSpec store) {
    this.registry = registry;
    this.server = server;
    this.store = store;
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "store-health");
              thread.setDaemon(true);
              return thread;
            });
  }

  /** Checks the store every {@code interval} until closed. */
  static StoreHealthMonitor start(
      ConnectionRegistry registry, GrpcServer server, StoreSpec store, Duration interval) {
    StoreHealthMonitor monitor = new StoreHealthMonitor(registry, server, store);
    monitor.scheduler.scheduleWithFixedDelay(
        monitor::check, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    return monitor;
  }

  private void check() {
    boolean nowAvailable;
    try {
      nowAvailable = registry.isAvailable();
    } catch (RuntimeException e) {
      nowAvailable = false;
    }
    if (nowAvailable != available) {
      available = nowAvailable;
      server.setServing(nowAvailable);
      if (nowAvailable) {
        log.info("Store {} is reachable again; serving.", store);
      } else {
        log.warn("Store {} is unavailable; health reports NOT_SERVING until it is back.", store);
      }
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}

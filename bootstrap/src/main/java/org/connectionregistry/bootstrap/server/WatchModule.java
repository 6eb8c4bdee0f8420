package org.connectionregistry.bootstrap.server;

import dagger.Binds;
import dagger.Module;
import dagger.Provides;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.atomic.AtomicInteger;
import javax.inject.Singleton;
import org.connectionregistry.adapter.grpc.server.ClientServiceEndpoint;
import org.connectionregistry.application.port.in.CountClientsUseCase;
import org.connectionregistry.application.port.in.WatchClientsUseCase;
import org.connectionregistry.application.service.ScheduledTimer;
import org.connectionregistry.application.service.WatchService;
import org.connectionregistry.domain.ConnectionRegistry;

/**
 * Watchers and counts: the watch service over the registry, its own progress timer (one thread
 * for every watcher's tick), and the few threads on which watch calls send.
 */
@Module
public abstract class WatchModule {

  private WatchModule() {}

  @Provides
  @Singleton
  static WatchService watchService(ConnectionRegistry registry, WatchSettings settings) {
    return new WatchService(
        registry,
        new ScheduledTimer("watch-progress"),
        settings.progressInterval(),
        settings.maxLag());
  }

  @Binds
  abstract WatchClientsUseCase watchClients(WatchService service);

  @Binds
  abstract CountClientsUseCase countClients(WatchService service);

  /**
   * Sends for every watch call, a drain at a time, so that a thread that appends a change only
   * schedules its watchers. As many threads as cores: sending is CPU work. A fork-join pool,
   * because a change wakes every idle watcher from the appending thread: its submission is
   * cheaper than a blocking queue's lock and wake-up per task.
   */
  @Provides
  @Singleton
  static ClientServiceEndpoint.Watching watching(
      WatchClientsUseCase watchClients, CountClientsUseCase countClients) {
    AtomicInteger count = new AtomicInteger();
    ForkJoinPool senders =
        new ForkJoinPool(
            Math.max(2, Runtime.getRuntime().availableProcessors()),
            pool -> {
              ForkJoinWorkerThread thread =
                  ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
              thread.setName("watch-sender-" + count.incrementAndGet());
              return thread;
            },
            null,
            true);
    return new ClientServiceEndpoint.Watching(watchClients, countClients, senders);
  }
}

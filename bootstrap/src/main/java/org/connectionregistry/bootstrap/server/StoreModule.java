package org.connectionregistry.bootstrap.server;

import dagger.Module;
import dagger.Provides;
import java.time.Clock;
import javax.inject.Singleton;
import org.connectionregistry.adapter.store.file.FileConnectionRegistry;
import org.connectionregistry.adapter.store.redis.RedisConnectionRegistry;
import org.connectionregistry.domain.ConnectionRegistry;
import org.connectionregistry.domain.InMemoryConnectionRegistry;

/**
 * Picks the registry's storage adapter from {@code --store}. Adding an engine means an adapter
 * module, a {@link StoreSpec} kind and its case here; the domain and the use cases do not change.
 * The choice is exhaustive: {@link StoreSpec.Cases} has one method per kind and no default, so a
 * kind that is not wired here does not compile, rather than running silently in memory.
 */
@Module
public final class StoreModule {

  private StoreModule() {}

  /**
   * Opens the configured store.
   *
   * @throws org.connectionregistry.domain.RegistryUnavailableException if it cannot be opened or
   *     reached, with a one-line message naming it
   * @throws IllegalArgumentException if a Redis or Redis Cluster URI is malformed
   */
  @Provides
  @Singleton
  static ConnectionRegistry connectionRegistry(
      ServerSettings settings, ServerSecurity security, WatchSettings watch) {
    return settings.store().match(opening(security, watch.history()));
  }

  /**
   * Opens each kind of store. Every store keeps its last {@code historyCapacity} changes for
   * watchers ({@code --watch-history}).
   */
  static StoreSpec.Cases<ConnectionRegistry> opening(ServerSecurity security, int historyCapacity) {
    return new StoreSpec.Cases<>() {
      @Override
      public ConnectionRegistry memory(StoreSpec.Memory memory) {
        // The one store on the heap: capped, so a flood of new client IDs cannot exhaust it.
        return new InMemoryConnectionRegistry(
            security.maxClients(), historyCapacity, Clock.systemUTC());
      }

      @Override
      public ConnectionRegistry file(StoreSpec.File file) {
        return FileConnectionRegistry.open(file.path(), historyCapacity);
      }

      @Override
      public ConnectionRegistry redis(StoreSpec.Redis redis) {
        return RedisConnectionRegistry.connect(redis.uri(), historyCapacity);
      }

      @Override
      public ConnectionRegistry redisCluster(StoreSpec.RedisCluster cluster) {
        return RedisConnectionRegistry.connectCluster(cluster.uri(), historyCapacity);
      }
    };
  }
}

package org.connectionregistry.bootstrap.server;

import dagger.Module;
import dagger.Provides;
import javax.inject.Singleton;
import org.connectionregistry.adapter.store.file.FileConnectionRegistry;
import org.connectionregistry.adapter.store.redis.RedisConnectionRegistry;
import org.connectionregistry.domain.ChangeHistory;
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
   * How many changes a store keeps for watchers. The seam for the {@code --watch-history} option
   * (issue 10, another change): until that option is wired, every store keeps the default.
   */
  static int watchHistory() {
    return ChangeHistory.DEFAULT_CAPACITY;
  }

  /**
   * Opens the configured store.
   *
   * @throws org.connectionregistry.domain.RegistryUnavailableException if it cannot be opened or
   *     reached, with a one-line message naming it
   * @throws IllegalArgumentException if a Redis or Redis Cluster URI is malformed
   */
  @Provides
  @Singleton
  static ConnectionRegistry connectionRegistry(ServerSettings settings, ServerSecurity security) {
    return settings.store().match(opening(security));
  }

  /** Opens each kind of store. */
  static StoreSpec.Cases<ConnectionRegistry> opening(ServerSecurity security) {
    return new StoreSpec.Cases<>() {
      @Override
      public ConnectionRegistry memory(StoreSpec.Memory memory) {
        // The one store on the heap: capped, so a flood of new client IDs cannot exhaust it.
        return new InMemoryConnectionRegistry(security.maxClients());
      }

      @Override
      public ConnectionRegistry file(StoreSpec.File file) {
        return FileConnectionRegistry.open(file.path(), watchHistory());
      }

      @Override
      public ConnectionRegistry redis(StoreSpec.Redis redis) {
        return RedisConnectionRegistry.connect(redis.uri());
      }

      @Override
      public ConnectionRegistry redisCluster(StoreSpec.RedisCluster cluster) {
        return RedisConnectionRegistry.connectCluster(cluster.uri());
      }
    };
  }
}

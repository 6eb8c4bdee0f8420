package org.connectionregistry.bootstrap.server;

import dagger.Module;
import dagger.Provides;
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
   * @throws IllegalArgumentException if a Redis URI is malformed
   */
  @Provides
  @Singleton
  static ConnectionRegistry connectionRegistry(ServerSettings settings) {
    return settings.store().match(OPEN);
  }

  /** Opens each kind of store. */
  static final StoreSpec.Cases<ConnectionRegistry> OPEN =
      new StoreSpec.Cases<>() {
        @Override
        public ConnectionRegistry memory(StoreSpec.Memory memory) {
          return new InMemoryConnectionRegistry();
        }

        @Override
        public ConnectionRegistry file(StoreSpec.File file) {
          return FileConnectionRegistry.open(file.path());
        }

        @Override
        public ConnectionRegistry redis(StoreSpec.Redis redis) {
          return RedisConnectionRegistry.connect(redis.uri());
        }
      };
}

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
 * module, a {@link StoreSpec} case and a line here; the domain and the use cases do not change.
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
  static ConnectionRegistry connectionRegistry(ServerSettings settings, ServerSecurity security) {
    StoreSpec store = settings.store();
    if (store instanceof StoreSpec.File file) {
      return FileConnectionRegistry.open(file.path());
    }
    if (store instanceof StoreSpec.Redis redis) {
      return RedisConnectionRegistry.connect(redis.uri());
    }
    // The one store on the heap: capped, so a flood of new client IDs cannot exhaust it.
    return new InMemoryConnectionRegistry(security.maxClients());
  }
}

package org.connectionregistry.bootstrap.server;

import dagger.Module;
import dagger.Provides;
import java.util.Optional;
import javax.inject.Singleton;
import org.connectionregistry.adapter.metrics.ServerMetrics;
import org.connectionregistry.application.port.in.CountClientsUseCase;
import org.connectionregistry.application.service.SessionService;
import org.connectionregistry.domain.ConnectionRegistry;

/**
 * The metrics adapter, when {@code --metrics-port} asks for it. Without it nothing is measured:
 * no interceptor sits in the call path and no port is opened.
 */
@Module
public final class MetricsModule {

  private MetricsModule() {}

  @Provides
  @Singleton
  static Optional<ServerMetrics> serverMetrics(
      MetricsSettings settings,
      CountClientsUseCase counts,
      ConnectionRegistry registry,
      SessionService sessions) {
    if (!settings.enabled()) {
      return Optional.empty();
    }
    ServerMetrics metrics = new ServerMetrics(counts, settings.countInterval());
    // The same question the health monitor asks; a scrape asks it afresh.
    metrics.watchStore(registry::isAvailable);
    metrics.countSessionClients(sessions::presenceCount);
    return Optional.of(metrics);
  }
}

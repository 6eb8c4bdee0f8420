package org.connectionregistry.bootstrap.server;

import dagger.BindsInstance;
import dagger.Component;
import java.util.Optional;
import javax.inject.Singleton;
import org.connectionregistry.adapter.grpc.server.GrpcServer;
import org.connectionregistry.adapter.metrics.ServerMetrics;
import org.connectionregistry.application.port.out.SessionLedger;
import org.connectionregistry.domain.ConnectionRegistry;

/** Everything the server process runs, built for one set of settings. */
@Singleton
@Component(modules = {ServerModule.class, MetricsModule.class, WebModule.class})
public interface ServerComponent {

  GrpcServer server();

  ConnectionRegistry registry();

  SessionLedger sessionLedger();

  /** Present when --metrics-port asks for metrics. */
  Optional<ServerMetrics> metrics();

  /** The watches of every adapter, counted for the watchers gauge. */
  org.connectionregistry.application.service.WatchService watchService();

  /** The live page's parts; started when --web-port asks for it. */
  LivePageParts livePage();

  @Component.Factory
  interface Factory {
    ServerComponent create(
        @BindsInstance ServerSettings settings,
        @BindsInstance ServerSecurity security,
        @BindsInstance MetricsSettings metrics,
        @BindsInstance SessionSettings sessions,
        @BindsInstance WatchSettings watch);
  }
}

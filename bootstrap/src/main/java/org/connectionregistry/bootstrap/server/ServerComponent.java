package org.connectionregistry.bootstrap.server;

import dagger.BindsInstance;
import dagger.Component;
import javax.inject.Singleton;
import org.connectionregistry.adapter.grpc.server.GrpcServer;
import org.connectionregistry.application.port.out.SessionLedger;
import org.connectionregistry.domain.ConnectionRegistry;

/** Everything the server process runs, built for one set of settings. */
@Singleton
@Component(modules = ServerModule.class)
public interface ServerComponent {

  GrpcServer server();

  ConnectionRegistry registry();

  SessionLedger sessionLedger();

  @Component.Factory
  interface Factory {
    ServerComponent create(
        @BindsInstance ServerSettings settings, @BindsInstance SessionSettings sessions);
  }
}

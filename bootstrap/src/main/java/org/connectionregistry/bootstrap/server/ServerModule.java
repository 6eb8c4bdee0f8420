package org.connectionregistry.bootstrap.server;

import dagger.Binds;
import dagger.Module;
import dagger.Provides;
import io.grpc.ServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.util.Optional;
import javax.inject.Singleton;
import org.connectionregistry.adapter.grpc.security.CallProtection;
import org.connectionregistry.adapter.grpc.server.ClientServiceEndpoint;
import org.connectionregistry.adapter.grpc.server.GrpcServer;
import org.connectionregistry.adapter.metrics.ServerMetrics;
import org.connectionregistry.application.port.in.GetClientStatusUseCase;
import org.connectionregistry.application.port.in.ListClientsUseCase;
import org.connectionregistry.application.port.in.SendMessageUseCase;
import org.connectionregistry.application.service.ConnectionService;
import org.connectionregistry.domain.ConnectionRegistry;

/** The server: the use cases over a registry, driven by the gRPC adapter on Netty. */
@Module(includes = {StoreModule.class, SecurityModule.class})
public abstract class ServerModule {

  private ServerModule() {}

  @Provides
  @Singleton
  static ConnectionService connectionService(ConnectionRegistry registry) {
    return new ConnectionService(registry);
  }

  @Binds
  abstract SendMessageUseCase sendMessage(ConnectionService service);

  @Binds
  abstract GetClientStatusUseCase getClientStatus(ConnectionService service);

  @Binds
  abstract ListClientsUseCase listClients(ConnectionService service);

  @Provides
  static ClientServiceEndpoint endpoint(
      SendMessageUseCase sendMessage,
      GetClientStatusUseCase getClientStatus,
      ListClientsUseCase listClients) {
    return new ClientServiceEndpoint(sendMessage, getClientStatus, listClients);
  }

  /**
   * Netty on the configured address. Calls run on the transport's own threads whatever the store:
   * the storage port is asynchronous, so a handler only starts the store's work and returns, and
   * the answer goes out from the store's callback. Handing each call to a pool would cost more
   * than the call, and a slow disk or network holds up no thread. With metrics on, their
   * interceptor sees every call of every service.
   */
  @Provides
  static ServerBuilder<?> serverBuilder(
      ServerSettings settings, ServerSecurity security, Optional<ServerMetrics> metrics) {
    NettyServerBuilder builder = SecurityModule.nettyBuilder(settings, security);
    builder.directExecutor();
    metrics.ifPresent(m -> builder.intercept(m.callInterceptor()));
    return builder;
  }

  @Provides
  @Singleton
  static GrpcServer grpcServer(
      ServerBuilder<?> builder, ClientServiceEndpoint endpoint, CallProtection protection) {
    return new GrpcServer(builder, endpoint, protection);
  }
}

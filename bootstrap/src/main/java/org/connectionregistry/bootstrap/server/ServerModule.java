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
   * Netty on the configured address. Calls on the in-memory store never block, so they run on
   * the transport's own threads: handing each call to a pool would cost more than the call.
   * Stores that wait on a disk or a network keep grpc-java's default pool, so that a slow store
   * cannot stall the event loop. With metrics on, their interceptor sees every call of every
   * service.
   */
  @Provides
  static ServerBuilder<?> serverBuilder(
      ServerSettings settings, ServerSecurity security, Optional<ServerMetrics> metrics) {
    NettyServerBuilder builder = SecurityModule.nettyBuilder(settings, security);
    if (!settings.store().blocking()) {
      builder.directExecutor();
    }
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

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
import org.connectionregistry.adapter.grpc.server.SessionKeepalive;
import org.connectionregistry.adapter.metrics.ServerMetrics;
import org.connectionregistry.application.port.in.GetClientStatusUseCase;
import org.connectionregistry.application.port.in.HoldSessionUseCase;
import org.connectionregistry.application.port.in.ListClientsUseCase;
import org.connectionregistry.application.port.in.SendMessageUseCase;
import org.connectionregistry.application.service.ConnectionService;
import org.connectionregistry.application.service.SessionService;
import org.connectionregistry.domain.ConnectionRegistry;

/** The server: the use cases over a registry, driven by the gRPC adapter on Netty. */
@Module(
    includes = {StoreModule.class, SecurityModule.class, SessionModule.class, WatchModule.class})
public abstract class ServerModule {

  private ServerModule() {}

  @Provides
  @Singleton
  static ConnectionService connectionService(ConnectionRegistry registry) {
    return new ConnectionService(registry);
  }

  /** Hello and Goodbye go through the sessions, which settle how they meet live sessions. */
  @Binds
  abstract SendMessageUseCase sendMessage(SessionService service);

  @Binds
  abstract HoldSessionUseCase holdSession(SessionService service);

  @Binds
  abstract GetClientStatusUseCase getClientStatus(ConnectionService service);

  @Binds
  abstract ListClientsUseCase listClients(ConnectionService service);

  @Provides
  static ClientServiceEndpoint endpoint(
      SendMessageUseCase sendMessage,
      GetClientStatusUseCase getClientStatus,
      ListClientsUseCase listClients,
      HoldSessionUseCase holdSession,
      ClientServiceEndpoint.Watching watching) {
    return new ClientServiceEndpoint(
        sendMessage, getClientStatus, listClients, holdSession, watching);
  }

  /**
   * Netty on the configured address. Calls run on the transport's own threads whatever the store:
   * the storage port is asynchronous, so a handler only starts the store's work and returns, and
   * the answer goes out from the store's callback. Handing each call to a pool would cost more
   * than the call, and a slow disk or network holds up no thread. With metrics on, their
   * interceptor sees every call of every service. Keepalive finds the silent peers of live
   * sessions.
   */
  @Provides
  static ServerBuilder<?> serverBuilder(
      ServerSettings settings,
      ServerSecurity security,
      Optional<ServerMetrics> metrics,
      SessionSettings sessions) {
    NettyServerBuilder builder = SecurityModule.nettyBuilder(settings, security).directExecutor();
    SessionKeepalive.apply(builder, sessions.keepaliveInterval(), sessions.keepaliveTimeout());
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

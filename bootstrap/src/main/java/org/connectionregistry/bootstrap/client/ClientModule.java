package org.connectionregistry.bootstrap.client;

import dagger.Binds;
import dagger.Module;
import dagger.Provides;
import io.grpc.Channel;
import java.io.InputStream;
import java.io.PrintStream;
import javax.inject.Singleton;
import org.connectionregistry.adapter.console.ConsoleMenu;
import org.connectionregistry.adapter.grpc.client.GrpcConnectionClient;
import org.connectionregistry.application.port.in.GetClientStatusUseCase;
import org.connectionregistry.application.port.in.ListClientsUseCase;
import org.connectionregistry.application.port.in.SendMessageUseCase;

/** The console client: the menu, driving use cases that a remote server carries out. */
@Module
public abstract class ClientModule {

  private ClientModule() {}

  @Provides
  @Singleton
  static ServerConnection serverConnection(
      ClientSettings settings, ClientSecurityOptions.ClientSecurity security) {
    return new ServerConnection(settings.target(), security);
  }

  @Provides
  static Channel channel(ServerConnection connection) {
    return connection.channel();
  }

  @Provides
  @Singleton
  static GrpcConnectionClient connectionClient(Channel channel, ClientSettings settings) {
    return new GrpcConnectionClient(channel, settings.target(), settings.deadline());
  }

  @Binds
  abstract SendMessageUseCase sendMessage(GrpcConnectionClient client);

  @Binds
  abstract GetClientStatusUseCase getClientStatus(GrpcConnectionClient client);

  @Binds
  abstract ListClientsUseCase listClients(GrpcConnectionClient client);

  @Provides
  static ConsoleMenu menu(
      SendMessageUseCase sendMessage,
      GetClientStatusUseCase getClientStatus,
      ListClientsUseCase listClients,
      InputStream in,
      PrintStream out) {
    return new ConsoleMenu(sendMessage, getClientStatus, listClients, in, out);
  }
}

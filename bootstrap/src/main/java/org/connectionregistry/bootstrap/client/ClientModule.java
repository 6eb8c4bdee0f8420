package org.connectionregistry.bootstrap.client;

import dagger.Binds;
import dagger.Module;
import dagger.Provides;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
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

  /**
   * The original server answers "all clients" in one message of about 29 bytes a client; the
   * default 4 MiB limit would refuse registries past about 144,000 clients.
   */
  static final int MAX_INBOUND_MESSAGE_BYTES = 512 * 1024 * 1024;

  private ClientModule() {}

  @Provides
  @Singleton
  static ManagedChannel channel(ClientSettings settings) {
    return Grpc.newChannelBuilder(settings.target(), InsecureChannelCredentials.create())
        .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
        .build();
  }

  @Provides
  @Singleton
  static GrpcConnectionClient connectionClient(ManagedChannel channel, ClientSettings settings) {
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

package org.connectionregistry.adapter.grpc.server;

import io.grpc.ManagedChannel;
import io.grpc.ServerBuilder;
import org.connectionregistry.adapter.grpc.Loopback;
import org.junit.jupiter.api.DisplayName;

@DisplayName("ListClients, over Netty on 127.0.0.1")
class NettyListClientsContractTest extends ListClientsContractTest {

  @Override
  protected ServerBuilder<?> newServerBuilder() {
    return Loopback.serverBuilder();
  }

  @Override
  protected ManagedChannel newChannel(GrpcServer server) {
    return Loopback.channelTo(server.port());
  }
}

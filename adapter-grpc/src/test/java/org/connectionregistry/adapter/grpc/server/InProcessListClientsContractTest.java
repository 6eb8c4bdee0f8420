package org.connectionregistry.adapter.grpc.server;

import io.grpc.ManagedChannel;
import io.grpc.ServerBuilder;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import org.junit.jupiter.api.DisplayName;

@DisplayName("ListClients, over the in-process transport")
class InProcessListClientsContractTest extends ListClientsContractTest {

  private final String name = InProcessServerBuilder.generateName();

  @Override
  protected ServerBuilder<?> newServerBuilder() {
    return InProcessServerBuilder.forName(name).directExecutor();
  }

  @Override
  protected ManagedChannel newChannel(GrpcServer server) {
    return InProcessChannelBuilder.forName(name).directExecutor().build();
  }
}

package org.connectionregistry.adapter.grpc.server;

import io.grpc.ManagedChannel;
import io.grpc.ServerBuilder;
import org.connectionregistry.adapter.grpc.Loopback;
import org.junit.jupiter.api.DisplayName;

@DisplayName("The wire contract, over Netty on 127.0.0.1")
class NettyClientServiceContractTest extends ClientServiceContractTest {

  @Override
  protected ServerBuilder<?> newServerBuilder() {
    return Loopback.serverBuilder();
  }

  @Override
  protected ManagedChannel newChannel(GrpcServer server) {
    return Loopback.channelTo(server.port());
  }
}

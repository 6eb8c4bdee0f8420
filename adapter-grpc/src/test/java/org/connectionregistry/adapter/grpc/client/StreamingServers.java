package org.connectionregistry.adapter.grpc.client;

import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.util.function.Consumer;
import org.connectionregistry.proto.ClientServiceGrpc;
import org.connectionregistry.proto.ListClientsRequest;
import org.connectionregistry.proto.ListClientsResponse;
import org.connectionregistry.proto.ListedClient;

/** Servers of other versions whose ListClients streams what a test says, and the pages to send. */
final class StreamingServers {

  private StreamingServers() {}

  /** A page of {@code id, label, id, label, ...}. */
  static ListClientsResponse page(String... idsAndLabels) {
    ListClientsResponse.Builder page = ListClientsResponse.newBuilder();
    for (int i = 0; i < idsAndLabels.length; i += 2) {
      page.addClients(
          ListedClient.newBuilder().setClientId(idsAndLabels[i]).setStatus(idsAndLabels[i + 1]));
    }
    return page.build();
  }

  /** A server that has only ListClients, which answers each call with {@code answer}. */
  static ServerServiceDefinition streamingServer(
      Consumer<StreamObserver<ListClientsResponse>> answer) {
    return ServerServiceDefinition.builder(ClientServiceGrpc.SERVICE_NAME)
        .addMethod(
            ClientServiceGrpc.getListClientsMethod(),
            ServerCalls.asyncServerStreamingCall(
                (ListClientsRequest request, StreamObserver<ListClientsResponse> responses) ->
                    answer.accept(responses)))
        .build();
  }
}

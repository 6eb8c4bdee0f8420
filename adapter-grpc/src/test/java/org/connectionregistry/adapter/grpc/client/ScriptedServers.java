package org.connectionregistry.adapter.grpc.client;

import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.connectionregistry.proto.ClientServiceGrpc;
import org.connectionregistry.proto.ClientStatusRequest;
import org.connectionregistry.proto.ClientStatusResponse;
import org.connectionregistry.proto.ListClientsRequest;
import org.connectionregistry.proto.ListClientsResponse;
import org.connectionregistry.proto.ListedClient;

/**
 * Servers of other versions, scripted by tests: one whose ListClients streams what a test says,
 * and one shaped like the original, without ListClients.
 */
final class ScriptedServers {

  private ScriptedServers() {}

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

  /**
   * The original server's shape: only GetClientStatus exists, so ListClients is answered
   * UNIMPLEMENTED by gRPC itself, as it would be by the Python server. Its answer for all
   * clients is {@code statuses}, whatever their order.
   */
  static final class LegacyServer {
    final ClientStatusResponse answer;
    final AtomicInteger allClientsAsked = new AtomicInteger();

    LegacyServer(Map<String, String> statuses) {
      this.answer = ClientStatusResponse.newBuilder().putAllStatuses(statuses).build();
    }

    ServerServiceDefinition definition() {
      return ServerServiceDefinition.builder(ClientServiceGrpc.SERVICE_NAME)
          .addMethod(
              ClientServiceGrpc.getGetClientStatusMethod(),
              ServerCalls.asyncUnaryCall(
                  (ClientStatusRequest request, StreamObserver<ClientStatusResponse> responses) -> {
                    if (request.getClientId().isEmpty()) {
                      allClientsAsked.incrementAndGet();
                    }
                    responses.onNext(answer);
                    responses.onCompleted();
                  }))
          .build();
    }
  }
}

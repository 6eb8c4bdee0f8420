package org.connectionregistry.adapter.grpc.client;

import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.connectionregistry.adapter.grpc.StatusMapping;
import org.connectionregistry.application.port.in.ListClientsUseCase;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.proto.ClientServiceGrpc.ClientServiceBlockingStub;
import org.connectionregistry.proto.ClientStatusRequest;

/**
 * Lists the clients of a server that predates ListClients (the original answers it with {@code
 * UNIMPLEMENTED}), the only way such a server allows: GetClientStatus with an empty client ID,
 * whose one answer holds every client, so the channel must allow it to be large (about 29 bytes a
 * client). Each listing downloads that answer once, whatever it then hands over.
 */
final class LegacyListing {

  private final ClientServiceBlockingStub stub;
  private final Duration deadline;
  private final StatusMapping errors;
  private final ServerAnswers answers;

  LegacyListing(
      ClientServiceBlockingStub stub,
      Duration deadline,
      StatusMapping errors,
      ServerAnswers answers) {
    this.stub = stub;
    this.deadline = deadline;
    this.errors = errors;
    this.answers = answers;
  }

  /** Every client, sorted by client ID. */
  List<ClientConnection> all() {
    try {
      return answers.everyStatus(
          stub.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS)
              .getClientStatus(ClientStatusRequest.getDefaultInstance()));
    } catch (StatusRuntimeException e) {
      throw errors.listingFailed(e);
    }
  }

  /** Every client, sorted, in pages of up to {@link ListClientsUseCase#PAGE_SIZE}. */
  void pages(Consumer<List<ClientConnection>> pages) {
    List<ClientConnection> clients = all();
    for (int from = 0; from < clients.size(); from += ListClientsUseCase.PAGE_SIZE) {
      int to = Math.min(from + ListClientsUseCase.PAGE_SIZE, clients.size());
      pages.accept(Collections.unmodifiableList(clients.subList(from, to)));
    }
  }

  /** Up to {@code limit} clients after {@code after}, out of one download of the whole list. */
  List<ClientConnection> page(Optional<ClientId> after, int limit) {
    return ClientIdOrder.pageOf(all(), after, limit);
  }
}

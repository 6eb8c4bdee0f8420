package org.connectionregistry.adapter.grpc.client;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.connectionregistry.adapter.grpc.StatusMapping;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.proto.ClientServiceGrpc.ClientServiceStub;
import org.connectionregistry.proto.ListClientsRequest;

/**
 * Lists a remote registry's clients through the streamed ListClients call, and, from a server
 * that does not know it ({@code UNIMPLEMENTED} before any page), through the {@link
 * LegacyListing}.
 */
final class ClientListing {

  private final ClientServiceStub stub;
  private final String target;
  private final Duration deadline;
  private final StatusMapping errors;
  private final ServerAnswers answers;
  private final LegacyListing legacy;

  ClientListing(
      ClientServiceStub stub,
      String target,
      Duration deadline,
      StatusMapping errors,
      ServerAnswers answers,
      LegacyListing legacy) {
    this.stub = stub;
    this.target = target;
    this.deadline = deadline;
    this.errors = errors;
    this.answers = answers;
    this.legacy = legacy;
  }

  /**
   * Every client, sorted. A server of another version that sends its pages out of order is
   * forgiven here: the whole list is in hand and can still be sorted.
   */
  List<ClientConnection> all() {
    List<ClientConnection> clients = new ArrayList<>();
    if (!streamed(ListClientsRequest.getDefaultInstance(), clients::addAll)) {
      return legacy.all();
    }
    ClientIdOrder.sortIfNeeded(clients);
    return clients;
  }

  /**
   * Every client, a page at a time, each sorted and none empty. Pages already handed over cannot
   * be taken back, so a server whose pages overlap or go backwards is a failure naming the two
   * clients.
   */
  void forEachPage(Consumer<? super List<ClientConnection>> pages) {
    Consumer<List<ClientConnection>> inOrder = ClientIdOrder.enforced(pages, target);
    if (!streamed(ListClientsRequest.getDefaultInstance(), inOrder)) {
      legacy.pages(inOrder);
    }
  }

  /**
   * One page, in one ListClients call that asks for no more than {@code limit} clients after
   * {@code after}; what a server of another version sends beyond that is not passed on.
   */
  List<ClientConnection> page(Optional<ClientId> after, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive, got " + limit);
    }
    ListClientsRequest.Builder request = ListClientsRequest.newBuilder().setLimit(limit);
    after.ifPresent(clientId -> request.setAfterClientId(clientId.value()));
    List<ClientConnection> clients = new ArrayList<>();
    if (!streamed(request.build(), clients::addAll)) {
      return legacy.page(after, limit);
    }
    ClientIdOrder.sortIfNeeded(clients);
    return ClientIdOrder.pageOf(clients, after, limit);
  }

  /**
   * Hands over the pages of one ListClients call as they arrive, each sorted and none empty, on
   * the caller's thread. The next page is asked for only once {@code pages} has returned; the
   * deadline bounds each wait for a page, not the whole listing, which may rightly take longer on
   * a huge registry.
   *
   * @return false, having handed over nothing, if the server does not know the call
   */
  private boolean streamed(ListClientsRequest request, Consumer<List<ClientConnection>> pages) {
    ListingStream stream = ListingStream.start(stub, request, target, deadline, errors);
    boolean answered = false;
    while (true) {
      ListingEvent event = stream.next();
      if (event instanceof ListingEvent.Page page) {
        answered = true;
        try {
          List<ClientConnection> clients = answers.page(page.response());
          if (!clients.isEmpty()) {
            pages.accept(clients);
          }
        } catch (Throwable abandoned) {
          // The answer broke the contract, or the consumer gave up: the server need send no more.
          stream.cancel("The listing was abandoned", abandoned);
          throw abandoned;
        }
        stream.requestNext();
      } else if (event instanceof ListingEvent.Failed failed) {
        StatusRuntimeException failure = failed.failure();
        if (failure.getStatus().getCode() == Status.Code.UNIMPLEMENTED && !answered) {
          return false;
        }
        throw errors.listingFailed(failure);
      } else {
        return true; // ListingEvent.Completed, the only other kind
      }
    }
  }
}

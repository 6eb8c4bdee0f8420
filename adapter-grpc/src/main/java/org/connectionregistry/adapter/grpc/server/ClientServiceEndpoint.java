package org.connectionregistry.adapter.grpc.server;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.connectionregistry.adapter.grpc.StatusMapping;
import org.connectionregistry.application.port.in.GetClientStatusUseCase;
import org.connectionregistry.application.port.in.ListClientsUseCase;
import org.connectionregistry.application.port.in.SendMessageCommand;
import org.connectionregistry.application.port.in.SendMessageUseCase;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.InvalidMessageException;
import org.connectionregistry.domain.ListingCursor;
import org.connectionregistry.domain.StatusChange;
import org.connectionregistry.proto.ClientServiceGrpc;
import org.connectionregistry.proto.ClientStatusRequest;
import org.connectionregistry.proto.ClientStatusResponse;
import org.connectionregistry.proto.ListClientsRequest;
import org.connectionregistry.proto.ListClientsResponse;
import org.connectionregistry.proto.ListedClient;
import org.connectionregistry.proto.MessageRequest;
import org.connectionregistry.proto.MessageResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the {@code client_service.ClientService} of CONTRACT.md over the use cases.
 *
 * <p>It translates and nothing else: raw request strings into {@link ClientId}s and commands,
 * results into responses, and domain errors into status codes. Every handler answers, whatever
 * happens: an exception that escaped would reach the caller as a bare {@code UNKNOWN}.
 */
public final class ClientServiceEndpoint extends ClientServiceGrpc.ClientServiceImplBase {

  private static final Logger log = LoggerFactory.getLogger(ClientServiceEndpoint.class);

  /**
   * Most clients in one ListClients message: the one page size of {@link ListingCursor}. A listed
   * client takes at most about 530 bytes (128 four-byte characters and a label), so a page stays
   * under 2.2 MB, within any peer's default 4 MiB limit.
   */
  public static final int LISTING_PAGE_SIZE = ListingCursor.PAGE_SIZE;

  private final SendMessageUseCase sendMessage;
  private final GetClientStatusUseCase getClientStatus;
  private final ListClientsUseCase listClients;

  public ClientServiceEndpoint(
      SendMessageUseCase sendMessage,
      GetClientStatusUseCase getClientStatus,
      ListClientsUseCase listClients) {
    this.sendMessage = Objects.requireNonNull(sendMessage, "sendMessage");
    this.getClientStatus = Objects.requireNonNull(getClientStatus, "getClientStatus");
    this.listClients = Objects.requireNonNull(listClients, "listClients");
  }

  @Override
  public void sendMessage(MessageRequest request, StreamObserver<MessageResponse> responses) {
    StatusChange change;
    try {
      ClientId clientId = ClientId.of(request.getClientId());
      change = sendMessage.sendMessage(new SendMessageCommand(clientId, request.getMessage()));
    } catch (Exception e) {
      responses.onError(toStatus(e).asRuntimeException());
      return;
    }
    responses.onNext(
        MessageResponse.newBuilder().setSuccess(true).setInfo(change.description()).build());
    responses.onCompleted();
  }

  @Override
  public void getClientStatus(
      ClientStatusRequest request, StreamObserver<ClientStatusResponse> responses) {
    ClientStatusResponse.Builder response = ClientStatusResponse.newBuilder();
    try {
      String rawClientId = request.getClientId();
      if (rawClientId.isEmpty()) {
        List<ClientConnection> all = listClients.listClients();
        for (ClientConnection connection : all) {
          put(response, connection);
        }
      } else {
        put(response, getClientStatus.getClientStatus(ClientId.of(rawClientId)));
      }
    } catch (Exception e) {
      responses.onError(toStatus(e).asRuntimeException());
      return;
    }
    responses.onNext(response.build());
    responses.onCompleted();
  }

  /**
   * Streams the clients a page at a time, and only as fast as the caller reads: a page is read
   * from the registry when the transport can take it, so a slow reader of a large registry never
   * makes the server buffer more than a page or two.
   */
  @Override
  public void listClients(
      ListClientsRequest request, StreamObserver<ListClientsResponse> responses) {
    Optional<ClientId> after;
    try {
      String rawAfter = request.getAfterClientId();
      after = rawAfter.isEmpty() ? Optional.empty() : Optional.of(ClientId.of(rawAfter));
    } catch (Exception e) {
      responses.onError(toStatus(e).asRuntimeException());
      return;
    }
    long limit =
        request.getLimit() == 0 ? Long.MAX_VALUE : Integer.toUnsignedLong(request.getLimit());
    ListingCursor cursor = ListingCursor.after(after, limit);
    new Listing((ServerCallStreamObserver<ListClientsResponse>) responses, cursor).start();
  }

  /**
   * One ListClients call in progress. gRPC calls its handlers one at a time, never at once, so
   * its fields need no locking.
   */
  private final class Listing implements Runnable {
    private final ServerCallStreamObserver<ListClientsResponse> call;
    private final ListingCursor cursor;
    private boolean finished;

    Listing(ServerCallStreamObserver<ListClientsResponse> call, ListingCursor cursor) {
      this.call = call;
      this.cursor = cursor;
    }

    void start() {
      call.setOnCancelHandler(() -> finished = true);
      // gRPC runs this once the call is ready, and again whenever it becomes ready after a pause.
      call.setOnReadyHandler(this);
    }

    @Override
    public void run() {
      while (!finished && call.isReady()) {
        List<ClientConnection> page;
        try {
          int limit = cursor.nextLimit();
          page = cursor.advance(listClients.listClientsPage(cursor.nextAfter(), limit));
        } catch (Exception e) {
          finished = true;
          call.onError(toStatus(e).asRuntimeException());
          return;
        }
        if (!page.isEmpty()) {
          call.onNext(toResponse(page));
        }
        if (cursor.ended()) {
          finished = true;
          call.onCompleted();
        }
      }
    }
  }

  private static ListClientsResponse toResponse(List<ClientConnection> page) {
    ListClientsResponse.Builder response = ListClientsResponse.newBuilder();
    for (ClientConnection connection : page) {
      response.addClients(
          ListedClient.newBuilder()
              .setClientId(connection.clientId().value())
              .setStatus(connection.status().label()));
    }
    return response.build();
  }

  private static void put(ClientStatusResponse.Builder response, ClientConnection connection) {
    response.putStatuses(connection.clientId().value(), connection.status().label());
  }

  /**
   * The status for a failure, by the one mapping both sides share, logged the way operators
   * expect: the original server's warning for a rejected message, one quiet line for a registry
   * that is down, and the whole story for a fault of ours.
   */
  private static Status toStatus(Exception e) {
    Status status = StatusMapping.toStatus(e);
    if (e instanceof InvalidMessageException) {
      // The original server printed this line; operators grep for it.
      log.warn("Warning: {}", loggable(e.getMessage()));
    } else if (status.getCode() == Status.Code.UNAVAILABLE) {
      // Its message names what is down; a stack trace per request would only flood the log.
      log.debug("Registry unavailable: {}", e.getMessage());
    } else if (status.getCode() == Status.Code.INTERNAL) {
      log.error("Unexpected failure while serving a request", e);
    }
    return status;
  }

  /**
   * The text bounded and with control characters escaped, so that a message with line breaks
   * cannot forge extra lines in the server's log. Printable text is logged as it was sent.
   */
  private static String loggable(String text) {
    String bounded = StatusMapping.bounded(text);
    StringBuilder escaped = null;
    for (int i = 0; i < bounded.length(); i++) {
      char c = bounded.charAt(i);
      if (Character.isISOControl(c)) {
        if (escaped == null) {
          escaped = new StringBuilder(bounded.length() + 8).append(bounded, 0, i);
        }
        switch (c) {
          case '\n' -> escaped.append("\\n");
          case '\r' -> escaped.append("\\r");
          case '\t' -> escaped.append("\\t");
          default -> escaped.append(String.format("\\u%04X", (int) c));
        }
      } else if (escaped != null) {
        escaped.append(c);
      }
    }
    return escaped == null ? bounded : escaped.toString();
  }
}

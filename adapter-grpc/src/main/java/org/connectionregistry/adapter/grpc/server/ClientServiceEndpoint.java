package org.connectionregistry.adapter.grpc.server;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

import org.connectionregistry.adapter.grpc.StatusMapping;
import org.connectionregistry.adapter.grpc.WatchMessages;
import org.connectionregistry.application.port.in.CountClientsUseCase;
import org.connectionregistry.application.port.in.GetClientStatusUseCase;
import org.connectionregistry.application.port.in.HoldSessionUseCase;
import org.connectionregistry.application.port.in.ListClientsUseCase;
import org.connectionregistry.application.port.in.SendMessageCommand;
import org.connectionregistry.application.port.in.SendMessageUseCase;
import org.connectionregistry.application.port.in.WatchClientsUseCase;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientCounts;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.InvalidMessageException;
import org.connectionregistry.domain.ListingCursor;
import org.connectionregistry.domain.Stages;
import org.connectionregistry.domain.StatusChange;
import org.connectionregistry.proto.ClientServiceGrpc;
import org.connectionregistry.proto.ClientStatusRequest;
import org.connectionregistry.proto.ClientStatusResponse;
import org.connectionregistry.proto.ConnectEvent;
import org.connectionregistry.proto.ConnectRequest;
import org.connectionregistry.proto.CountClientsRequest;
import org.connectionregistry.proto.CountClientsResponse;
import org.connectionregistry.proto.ListClientsRequest;
import org.connectionregistry.proto.ListClientsResponse;
import org.connectionregistry.proto.MessageRequest;
import org.connectionregistry.proto.MessageResponse;
import org.connectionregistry.proto.WatchRequest;
import org.connectionregistry.proto.WatchResponse;
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
  private final HoldSessionUseCase holdSession;
  private final Watching watching;

  /**
   * What the endpoint needs to serve {@code Watch} and {@code CountClients}: the use cases, and
   * the executor on which watch calls send (shared by every watcher; see {@link WatchCall}).
   */
  public record Watching(
      WatchClientsUseCase watchClients, CountClientsUseCase countClients, Executor senders) {
    public Watching {
      Objects.requireNonNull(watchClients, "watchClients");
      Objects.requireNonNull(countClients, "countClients");
      Objects.requireNonNull(senders, "senders");
    }
  }

  /** Without live sessions: {@code Connect} answers UNIMPLEMENTED, as the original's server does. */
  public ClientServiceEndpoint(
      SendMessageUseCase sendMessage,
      GetClientStatusUseCase getClientStatus,
      ListClientsUseCase listClients) {
    this(sendMessage, getClientStatus, listClients, null);
  }

  /** With live sessions held through {@code Connect}. */
  public ClientServiceEndpoint(
      SendMessageUseCase sendMessage,
      GetClientStatusUseCase getClientStatus,
      ListClientsUseCase listClients,
      HoldSessionUseCase holdSession) {
    this(sendMessage, getClientStatus, listClients, holdSession, null);
  }

  /**
   * With live sessions (if {@code holdSession} is not null) and, if {@code watching} is not
   * null, {@code Watch} and {@code CountClients}; without them those answer UNIMPLEMENTED.
   */
  public ClientServiceEndpoint(
      SendMessageUseCase sendMessage,
      GetClientStatusUseCase getClientStatus,
      ListClientsUseCase listClients,
      HoldSessionUseCase holdSession,
      Watching watching) {
    this.sendMessage = Objects.requireNonNull(sendMessage, "sendMessage");
    this.getClientStatus = Objects.requireNonNull(getClientStatus, "getClientStatus");
    this.listClients = Objects.requireNonNull(listClients, "listClients");
    this.holdSession = holdSession;
    this.watching = watching;
  }

  /**
   * Follows the registry: a snapshot then every change, or the changes after a revision (see
   * {@link WatchCall} for the flow control).
   */
  @Override
  public void watch(WatchRequest request, StreamObserver<WatchResponse> responses) {
    if (watching == null) {
      super.watch(request, responses);
      return;
    }
    OptionalLong after =
        request.hasAfterRevision()
            ? OptionalLong.of(request.getAfterRevision())
            : OptionalLong.empty();
    if (after.isPresent() && after.getAsLong() < 0) {
      // uint64 above Long.MAX_VALUE: no registry gets there.
      responses.onError(
          Status.OUT_OF_RANGE
              .withDescription("after_revision " + Long.toUnsignedString(after.getAsLong())
                  + " is beyond any revision of this registry")
              .asRuntimeException());
      return;
    }
    new WatchCall(
            (ServerCallStreamObserver<WatchResponse>) responses,
            watching.senders(),
            failure -> toStatus(failure).asRuntimeException())
        .start(watching.watchClients(), after);
  }

  /** How many clients are connected and disconnected, counted by the store, not by listing. */
  @Override
  public void countClients(
      CountClientsRequest request, StreamObserver<CountClientsResponse> responses) {
    if (watching == null) {
      super.countClients(request, responses);
      return;
    }
    CompletionStage<ClientCounts> counts;
    try {
      counts = watching.countClients().countClientsAsync();
    } catch (RuntimeException e) {
      responses.onError(toStatus(e).asRuntimeException());
      return;
    }
    counts.whenComplete(
        (done, failure) -> {
          if (failure != null) {
            responses.onError(toStatus(failure).asRuntimeException());
            return;
          }
          responses.onNext(WatchMessages.toProto(done));
          responses.onCompleted();
        });
  }

  /** Holds a live session for the call's lifetime (see {@link SessionCall}). */
  @Override
  public StreamObserver<ConnectRequest> connect(StreamObserver<ConnectEvent> events) {
    if (holdSession == null) {
      return super.connect(events);
    }
    return new SessionCall(
        holdSession,
        (ServerCallStreamObserver<ConnectEvent>) events,
        failure -> toStatus(failure).asRuntimeException());
  }

  @Override
  public void sendMessage(MessageRequest request, StreamObserver<MessageResponse> responses) {
    CompletableFuture<StatusChange> change;
    try {
      ClientId clientId = ClientId.of(request.getClientId());
      change =
          sendMessage
              .sendMessageAsync(new SendMessageCommand(clientId, request.getMessage()))
              .toCompletableFuture(); // the future itself, for the stores' CompletableFutures
    } catch (RuntimeException e) {
      responses.onError(toStatus(e).asRuntimeException());
      return;
    }
    if (change.isDone() && !change.isCompletedExceptionally()) {
      // Done already (the in-memory store): answer now, without a callback stage per call.
      answer(responses, change.join());
      return;
    }
    change.whenComplete(
        (done, failure) -> {
          if (failure != null) {
            responses.onError(toStatus(failure).asRuntimeException());
            return;
          }
          answer(responses, done);
        });
  }

  private static void answer(StreamObserver<MessageResponse> responses, StatusChange change) {
    responses.onNext(
        MessageResponse.newBuilder().setSuccess(true).setInfo(change.description()).build());
    responses.onCompleted();
  }

  @Override
  public void getClientStatus(
      ClientStatusRequest request, StreamObserver<ClientStatusResponse> responses) {
    CompletionStage<ClientStatusResponse> response;
    try {
      String rawClientId = request.getClientId();
      if (rawClientId.isEmpty()) {
        response = listClients.listClientsAsync().thenApply(ClientServiceEndpoint::toStatuses);
      } else {
        response =
            getClientStatus
                .getClientStatusAsync(ClientId.of(rawClientId))
                .thenApply(connection -> toStatuses(List.of(connection)));
      }
    } catch (RuntimeException e) {
      responses.onError(toStatus(e).asRuntimeException());
      return;
    }
    response.whenComplete(
        (statuses, failure) -> {
          if (failure != null) {
            responses.onError(toStatus(failure).asRuntimeException());
            return;
          }
          responses.onNext(statuses);
          responses.onCompleted();
        });
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
    } catch (RuntimeException e) {
      responses.onError(toStatus(e).asRuntimeException());
      return;
    }
    long limit =
        request.getLimit() == 0 ? Long.MAX_VALUE : Integer.toUnsignedLong(request.getLimit());
    ListingCursor cursor = ListingCursor.after(after, limit);
    // Noted before the first page is read: a watch after it misses nothing the listing lacks.
    long revision = listClients.currentRevision();
    new Listing((ServerCallStreamObserver<ListClientsResponse>) responses, cursor, revision).start();
  }

  /**
   * One ListClients call in progress. Its handlers run on gRPC's threads and its pages complete
   * on the store's, so every step holds the listing's lock: the call is never used from two
   * threads at once, and at most one page is being read at a time. A page that is ready at once
   * (the in-memory store) is sent in a loop; one that comes later continues the listing from the
   * store's callback, and no thread waits for it.
   */
  private final class Listing implements Runnable {
    private final ServerCallStreamObserver<ListClientsResponse> call;
    private final ListingCursor cursor;
    private final long revision;
    private boolean reading;
    private boolean finished;

    Listing(
        ServerCallStreamObserver<ListClientsResponse> call, ListingCursor cursor, long revision) {
      this.call = call;
      this.cursor = cursor;
      this.revision = revision;
    }

    void start() {
      call.setOnCancelHandler(
          () -> {
            synchronized (this) {
              finished = true;
            }
          });
      // gRPC runs this once the call is ready, and again whenever it becomes ready after a pause.
      call.setOnReadyHandler(this);
    }

    @Override
    public synchronized void run() {
      pump();
    }

    /** Reads and sends pages while the transport can take them; holds the lock. */
    private void pump() {
      while (!finished && !reading && call.isReady()) {
        CompletableFuture<List<ClientConnection>> page;
        try {
          int limit = cursor.nextLimit();
          page = listClients.listClientsPageAsync(cursor.nextAfter(), limit).toCompletableFuture();
        } catch (RuntimeException e) {
          fail(e);
          return;
        }
        if (!page.isDone()) {
          reading = true;
          page.whenComplete(
              (clients, failure) -> {
                synchronized (this) {
                  reading = false;
                  if (deliver(clients, failure)) {
                    pump();
                  }
                }
              });
          return;
        }
        List<ClientConnection> clients = null;
        Throwable failure = null;
        try {
          clients = page.join();
        } catch (RuntimeException e) {
          failure = e;
        }
        if (!deliver(clients, failure)) {
          return;
        }
      }
    }

    /** Sends a page (or the failure); false once the listing is over. */
    private boolean deliver(List<ClientConnection> clients, Throwable failure) {
      if (finished) {
        return false; // cancelled while the page was read
      }
      if (failure != null) {
        fail(failure);
        return false;
      }
      List<ClientConnection> page;
      try {
        page = cursor.advance(clients);
      } catch (RuntimeException e) {
        fail(e);
        return false;
      }
      if (!page.isEmpty()) {
        call.onNext(toResponse(page, revision));
      }
      if (cursor.ended()) {
        finished = true;
        call.onCompleted();
        return false;
      }
      return true;
    }

    private void fail(Throwable failure) {
      finished = true;
      call.onError(toStatus(failure).asRuntimeException());
    }
  }

  private static ClientStatusResponse toStatuses(List<ClientConnection> connections) {
    ClientStatusResponse.Builder response = ClientStatusResponse.newBuilder();
    for (ClientConnection connection : connections) {
      response.putStatuses(connection.clientId().value(), connection.status().label());
    }
    return response.build();
  }

  private static ListClientsResponse toResponse(List<ClientConnection> page, long revision) {
    ListClientsResponse.Builder response = ListClientsResponse.newBuilder().setRevision(revision);
    for (ClientConnection connection : page) {
      response.addClients(WatchMessages.toListed(connection));
    }
    return response.build();
  }

  /**
   * The status for a failure, by the one mapping both sides share, logged the way operators
   * expect: the original server's warning for a rejected message, one quiet line for a registry
   * that is down, and the whole story for a fault of ours. A failure that came through a stage is
   * unwrapped first, so it maps as if it had been thrown.
   */
  private static Status toStatus(Throwable failure) {
    Throwable cause = Stages.cause(failure);
    Exception e = cause instanceof Exception exception ? exception : new RuntimeException(cause);
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

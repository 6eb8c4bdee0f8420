package org.connectionregistry.adapter.grpc.client;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.connectionregistry.application.port.in.GetClientStatusUseCase;
import org.connectionregistry.application.port.in.ListClientsUseCase;
import org.connectionregistry.application.port.in.SendMessageCommand;
import org.connectionregistry.application.port.in.SendMessageUseCase;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ClientNotFoundException;
import org.connectionregistry.domain.ConnectionMessage;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.DomainException;
import org.connectionregistry.domain.InvalidInputException;
import org.connectionregistry.domain.InvalidMessageException;
import org.connectionregistry.domain.RegistryUnavailableException;
import org.connectionregistry.domain.StatusChange;
import org.connectionregistry.proto.ClientServiceGrpc;
import org.connectionregistry.proto.ClientServiceGrpc.ClientServiceBlockingStub;
import org.connectionregistry.proto.ClientServiceGrpc.ClientServiceStub;
import org.connectionregistry.proto.ClientStatusRequest;
import org.connectionregistry.proto.ClientStatusResponse;
import org.connectionregistry.proto.ListClientsRequest;
import org.connectionregistry.proto.ListClientsResponse;
import org.connectionregistry.proto.ListedClient;
import org.connectionregistry.proto.MessageRequest;
import org.connectionregistry.proto.MessageResponse;

/**
 * The use cases, carried out by a remote registry server (ours, or the original Python one: the
 * wire is the same). Status codes come back as the domain errors the server started from, so a
 * caller cannot tell a remote registry from a local one except by its slowness.
 */
public final class GrpcConnectionClient
    implements SendMessageUseCase, GetClientStatusUseCase, ListClientsUseCase {

  /** How our server and the original word a change: {@code Client x marked as connected.} */
  private static final Pattern MARKED_AS =
      Pattern.compile("marked as (\\S+?)\\.?\\s*$", Pattern.CASE_INSENSITIVE);

  private static final ConnectionStatus[] STATUSES = ConnectionStatus.values();

  private static final Comparator<ClientConnection> BY_CLIENT_ID =
      Comparator.comparing(ClientConnection::clientId);

  private final ClientServiceBlockingStub stub;
  private final ClientServiceStub asyncStub;
  private final String target;
  private final Duration deadline;

  /**
   * @param channel where the server is; the caller owns it and shuts it down
   * @param target how to name the server in messages, e.g. {@code localhost:50051}
   * @param deadline how long each call may take before the server counts as unavailable
   */
  public GrpcConnectionClient(Channel channel, String target, Duration deadline) {
    Objects.requireNonNull(channel, "channel");
    this.stub = ClientServiceGrpc.newBlockingStub(channel);
    this.asyncStub = ClientServiceGrpc.newStub(channel);
    this.target = Objects.requireNonNull(target, "target");
    this.deadline = Objects.requireNonNull(deadline, "deadline");
    if (deadline.isNegative() || deadline.isZero()) {
      throw new IllegalArgumentException("deadline must be positive, got " + deadline);
    }
  }

  @Override
  public StatusChange sendMessage(SendMessageCommand command) {
    MessageRequest request =
        MessageRequest.newBuilder()
            .setClientId(command.clientId().value())
            // As typed: the server decides what it means, and logs what it rejects.
            .setMessage(command.message())
            .build();
    MessageResponse response;
    try {
      response = stubWithDeadline().sendMessage(request);
    } catch (StatusRuntimeException e) {
      throw toDomainException(e, command);
    }
    if (!response.getSuccess()) {
      throw new InvalidInputException(response.getInfo());
    }
    return new StatusChange(command.clientId(), statusAfter(command.message(), response.getInfo()));
  }

  @Override
  public ClientConnection getClientStatus(ClientId clientId) {
    ClientStatusResponse response;
    try {
      response =
          stubWithDeadline()
              .getClientStatus(
                  ClientStatusRequest.newBuilder().setClientId(clientId.value()).build());
    } catch (StatusRuntimeException e) {
      throw toDomainException(e, clientId);
    }
    String label = response.getStatusesMap().get(clientId.value());
    if (label == null) {
      throw new RemoteCallException(
          "Server " + target + " answered without a status for client " + clientId.value());
    }
    return new ClientConnection(clientId, statusFromLabel(label, clientId.value()));
  }

  /**
   * Every client, through the streamed ListClients call; from a server that predates it (the
   * original answers UNIMPLEMENTED), through GetClientStatus with an empty ID, whose single answer
   * the channel must allow to be large (about 29 bytes a client).
   */
  @Override
  public List<ClientConnection> listClients() {
    return streamClients(ListClientsRequest.getDefaultInstance())
        .orElseGet(this::listClientsTheLegacyWay);
  }

  @Override
  public List<ClientConnection> listClientsPage(Optional<ClientId> after, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive, got " + limit);
    }
    ListClientsRequest.Builder request = ListClientsRequest.newBuilder().setLimit(limit);
    after.ifPresent(clientId -> request.setAfterClientId(clientId.value()));
    return streamClients(request.build())
        .orElseGet(() -> ListClientsUseCase.super.listClientsPage(after, limit));
  }

  /**
   * The clients a ListClients call streams, or empty if the server does not know the call. The
   * deadline bounds each wait for the next page, not the whole listing, which may rightly take
   * longer on a huge registry.
   */
  private Optional<List<ClientConnection>> streamClients(ListClientsRequest request) {
    Listing listing = new Listing();
    asyncStub.listClients(request, listing);
    long pagesSeen = 0;
    while (true) {
      try {
        listing.done.get(deadline.toNanos(), TimeUnit.NANOSECONDS);
        return Optional.of(listing.clients());
      } catch (TimeoutException e) {
        long pages = listing.pages;
        if (pages == pagesSeen) {
          listing.call.cancel("No page within the deadline", null);
          throw unavailable("no answer within " + readable(deadline), e);
        }
        pagesSeen = pages;
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof DomainException answerBrokeTheContract) {
          throw answerBrokeTheContract;
        }
        StatusRuntimeException failure =
            cause instanceof StatusRuntimeException statusFailure
                ? statusFailure
                : Status.fromThrowable(cause).asRuntimeException();
        if (failure.getStatus().getCode() == Status.Code.UNIMPLEMENTED && listing.pages == 0) {
          return Optional.empty();
        }
        throw toDomainException(failure, null);
      } catch (InterruptedException e) {
        listing.call.cancel("The caller was interrupted", e);
        Thread.currentThread().interrupt();
        throw new RemoteCallException(
            "Listing the clients of server " + target + " was interrupted", e);
      }
    }
  }

  private List<ClientConnection> listClientsTheLegacyWay() {
    ClientStatusResponse response;
    try {
      response = stubWithDeadline().getClientStatus(ClientStatusRequest.getDefaultInstance());
    } catch (StatusRuntimeException e) {
      throw toDomainException(e, null);
    }
    List<ClientConnection> clients = new ArrayList<>(response.getStatusesCount());
    for (Map.Entry<String, String> entry : response.getStatusesMap().entrySet()) {
      clients.add(
          new ClientConnection(
              foreignClientId(entry.getKey()), statusFromLabel(entry.getValue(), entry.getKey())));
    }
    clients.sort(BY_CLIENT_ID);
    return clients;
  }

  /**
   * Collects the pages of one ListClients call. gRPC delivers them one at a time and in order;
   * {@link #done} hands the list to the waiting caller, and with it everything written here.
   */
  private final class Listing
      implements ClientResponseObserver<ListClientsRequest, ListClientsResponse> {
    final CompletableFuture<Void> done = new CompletableFuture<>();
    /** Read by the waiting caller, to tell a slow listing from a stalled one. */
    volatile long pages;
    /** Set before the call starts, on the caller's thread. */
    ClientCallStreamObserver<ListClientsRequest> call;
    private final List<ClientConnection> clients = new ArrayList<>();
    private boolean sorted = true;

    @Override
    public void beforeStart(ClientCallStreamObserver<ListClientsRequest> requestStream) {
      call = requestStream;
    }

    @Override
    public void onNext(ListClientsResponse page) {
      if (done.isDone()) {
        return;
      }
      try {
        for (ListedClient listed : page.getClientsList()) {
          String rawId = listed.getClientId();
          ClientConnection client =
              new ClientConnection(
                  foreignClientId(rawId), statusFromLabel(listed.getStatus(), rawId));
          if (sorted
              && !clients.isEmpty()
              && BY_CLIENT_ID.compare(clients.get(clients.size() - 1), client) >= 0) {
            sorted = false;
          }
          clients.add(client);
        }
      } catch (DomainException e) {
        done.completeExceptionally(e);
        call.cancel("The answer broke the contract", e);
        return;
      }
      pages++;
    }

    @Override
    public void onError(Throwable t) {
      done.completeExceptionally(t);
    }

    @Override
    public void onCompleted() {
      done.complete(null);
    }

    /** Our server sends the clients in order; a server of another version might not. */
    List<ClientConnection> clients() {
      if (!sorted) {
        clients.sort(BY_CLIENT_ID);
      }
      return clients;
    }
  }

  /** A deadline counts from the call, so each call gets a fresh one. */
  private ClientServiceBlockingStub stubWithDeadline() {
    return stub.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS);
  }

  /**
   * The status the accepted message leads to. A server of another version may accept what our
   * rules refuse; then its answer says which status it set.
   */
  private ConnectionStatus statusAfter(String message, String info) {
    try {
      return ConnectionMessage.interpret(message).resultingStatus();
    } catch (InvalidMessageException notOurs) {
      Matcher matcher = MARKED_AS.matcher(info);
      if (!matcher.find()) {
        throw new RemoteCallException(
            "Server " + target + " accepted the message but did not say the new status: " + info);
      }
      return statusFromLabel(matcher.group(1), null);
    }
  }

  private ConnectionStatus statusFromLabel(String label, String clientId) {
    // Our server and the original send the labels exactly so; others may vary case or spacing.
    for (ConnectionStatus status : STATUSES) {
      if (status.label().equals(label)) {
        return status;
      }
    }
    try {
      return ConnectionStatus.fromLabel(label.strip().toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new RemoteCallException(
          "Server "
              + target
              + " reported the unknown status '"
              + label
              + "'"
              + (clientId == null ? "" : " for client " + clientId));
    }
  }

  /** The original server accepted any client ID; we can show only the ones our rules allow. */
  private ClientId foreignClientId(String value) {
    try {
      return ClientId.of(value);
    } catch (InvalidInputException e) {
      throw new RemoteCallException(
          "Server " + target + " lists a client ID this client cannot show ('" + value + "'): "
              + e.getMessage());
    }
  }

  /** The reverse of the server's mapping, so callers handle the same domain errors. */
  private DomainException toDomainException(StatusRuntimeException e, Object subject) {
    Status status = e.getStatus();
    String description = status.getDescription();
    switch (status.getCode()) {
      case INVALID_ARGUMENT:
        if (subject instanceof SendMessageCommand command
            && ("Invalid message type: " + command.message()).equals(description)) {
          return new InvalidMessageException(command.message());
        }
        return new InvalidInputException(description != null ? description : "Invalid argument");
      case NOT_FOUND:
        if (subject instanceof ClientId clientId) {
          return description != null
              ? new ClientNotFoundException(clientId, description)
              : new ClientNotFoundException(clientId);
        }
        return unexpected(status, e);
      case UNAVAILABLE:
        return unavailable(unavailableReason(e), e);
      case DEADLINE_EXCEEDED:
        return unavailable("no answer within " + readable(deadline), e);
      default:
        return unexpected(status, e);
    }
  }

  private RegistryUnavailableException unavailable(String reason, Throwable cause) {
    return new RegistryUnavailableException(
        "Server " + target + " is unavailable (" + reason + ")", cause);
  }

  private RemoteCallException unexpected(Status status, Throwable cause) {
    String description = oneLine(status.getDescription());
    return new RemoteCallException(
        "Server "
            + target
            + " failed the call: "
            + status.getCode()
            + (description.isEmpty() ? "" : " (" + description + ")"),
        cause);
  }

  /** Why the server cannot be reached, in words; the transport's own text is for developers. */
  private static String unavailableReason(StatusRuntimeException e) {
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      if (cause instanceof ConnectException) {
        return "connection refused";
      }
      if (cause instanceof UnknownHostException) {
        return "unknown host";
      }
    }
    String description = oneLine(e.getStatus().getDescription());
    if (description.isEmpty() || description.equalsIgnoreCase("io exception")) {
      return "connection failed";
    }
    return description;
  }

  private static String oneLine(String text) {
    if (text == null) {
      return "";
    }
    int lineBreak = text.indexOf('\n');
    return (lineBreak < 0 ? text : text.substring(0, lineBreak)).strip();
  }

  private static String readable(Duration duration) {
    long millis = duration.toMillis();
    if (millis >= 1000 && millis % 1000 == 0) {
      return duration.toSeconds() + "s";
    }
    return Math.max(1, millis) + "ms";
  }
}

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
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
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
   *
   * <p>The pages {@link #forEachClientPage} would hand over, collected. A server of another
   * version that sends its pages out of order is forgiven here: the whole list can still be
   * sorted.
   */
  @Override
  public List<ClientConnection> listClients() {
    Collected collected = new Collected();
    eachPage(collected);
    return collected.sorted();
  }

  /**
   * Hands over each page of the streamed ListClients call as it arrives, on the caller's thread.
   * The next page is asked for only once {@code pages} has returned, so a slow consumer holds the
   * server back (through gRPC flow control) instead of letting pages pile up here. The deadline
   * bounds each wait for the next page, not the consumer's time nor the whole listing, which may
   * rightly take longer on a huge registry.
   *
   * <p>From a server that predates ListClients (UNIMPLEMENTED before any page), the legacy
   * GetClientStatus("") answer, sorted, in pages of up to {@link #PAGE_SIZE}.
   *
   * <p>Each page is sorted here; a server whose pages overlap or go backwards breaks the contract,
   * and since the pages before are already handed over, that is a {@link RemoteCallException}
   * naming the two clients.
   *
   * @throws RegistryUnavailableException if the server cannot be reached, or sends no page within
   *     the deadline
   * @throws RemoteCallException if the server fails the call otherwise, or its answer breaks the
   *     contract
   */
  @Override
  public void forEachClientPage(Consumer<? super List<ClientConnection>> pages) {
    Objects.requireNonNull(pages, "pages");
    eachPage(new InClientIdOrder(pages));
  }

  /** The one way every client is listed: streamed, or the legacy way from an older server. */
  private void eachPage(Consumer<List<ClientConnection>> pages) {
    if (!streamPages(ListClientsRequest.getDefaultInstance(), pages)) {
      legacyPages(pages);
    }
  }

  @Override
  public List<ClientConnection> listClientsPage(Optional<ClientId> after, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive, got " + limit);
    }
    ListClientsRequest.Builder request = ListClientsRequest.newBuilder().setLimit(limit);
    after.ifPresent(clientId -> request.setAfterClientId(clientId.value()));
    Collected collected = new Collected();
    if (streamPages(request.build(), collected)) {
      return collected.sorted();
    }
    return ListClientsUseCase.super.listClientsPage(after, limit);
  }

  /**
   * Hands over the pages of one ListClients call as they arrive, each sorted and none empty, on
   * the caller's thread; returns false, having handed over nothing, if the server does not know
   * the call.
   */
  private boolean streamPages(ListClientsRequest request, Consumer<List<ClientConnection>> pages) {
    PageStream stream = new PageStream();
    asyncStub.listClients(request, stream);
    boolean answered = false;
    while (true) {
      Object event;
      try {
        event = stream.events.poll(deadline.toNanos(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        stream.call.cancel("The caller was interrupted", e);
        Thread.currentThread().interrupt();
        throw new RemoteCallException(
            "Listing the clients of server " + target + " was interrupted", e);
      }
      if (event == null) {
        stream.call.cancel("No page within the deadline", null);
        throw unavailable("no answer within " + readable(deadline), null);
      }
      if (event instanceof ListClientsResponse page) {
        answered = true;
        try {
          List<ClientConnection> clients = toClients(page);
          if (!clients.isEmpty()) {
            pages.accept(clients);
          }
        } catch (Throwable abandoned) {
          // The answer broke the contract, or the consumer gave up: the server need send no more.
          stream.call.cancel("The listing was abandoned", abandoned);
          throw abandoned;
        }
        stream.call.request(1);
      } else {
        Throwable failure = ((PageStream.End) event).failure();
        if (failure == null) {
          return true;
        }
        StatusRuntimeException statusFailure =
            failure instanceof StatusRuntimeException e
                ? e
                : Status.fromThrowable(failure).asRuntimeException();
        if (statusFailure.getStatus().getCode() == Status.Code.UNIMPLEMENTED && !answered) {
          return false;
        }
        throw toDomainException(statusFailure, null);
      }
    }
  }

  /** One page of the wire as clients, sorted: our server sends them so, others might not. */
  private List<ClientConnection> toClients(ListClientsResponse page) {
    List<ClientConnection> clients = new ArrayList<>(page.getClientsCount());
    boolean sorted = true;
    for (ListedClient listed : page.getClientsList()) {
      String rawId = listed.getClientId();
      ClientConnection client =
          new ClientConnection(foreignClientId(rawId), statusFromLabel(listed.getStatus(), rawId));
      if (sorted
          && !clients.isEmpty()
          && BY_CLIENT_ID.compare(clients.get(clients.size() - 1), client) >= 0) {
        sorted = false;
      }
      clients.add(client);
    }
    if (!sorted) {
      clients.sort(BY_CLIENT_ID);
    }
    return clients;
  }

  /** The legacy answer, sorted, in pages. */
  private void legacyPages(Consumer<List<ClientConnection>> pages) {
    List<ClientConnection> clients = listClientsTheLegacyWay();
    for (int from = 0; from < clients.size(); from += PAGE_SIZE) {
      int to = Math.min(from + PAGE_SIZE, clients.size());
      pages.accept(Collections.unmodifiableList(clients.subList(from, to)));
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
   * Receives the pages of one ListClients call for the caller's thread, which takes them from
   * {@link #events} one at a time: gRPC delivers a page only when the caller asks for the next
   * (one at first), so at most one page and the call's end wait there. Nothing here blocks.
   */
  private static final class PageStream
      implements ClientResponseObserver<ListClientsRequest, ListClientsResponse> {

    /** How the call ended: {@code failure} is null when it completed. */
    record End(Throwable failure) {}

    /** {@link ListClientsResponse} pages, then one {@link End}. */
    final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    /** Set before the call starts, on the caller's thread, and used only there. */
    ClientCallStreamObserver<ListClientsRequest> call;

    @Override
    public void beforeStart(ClientCallStreamObserver<ListClientsRequest> requestStream) {
      call = requestStream;
      requestStream.disableAutoRequestWithInitial(1);
    }

    @Override
    public void onNext(ListClientsResponse page) {
      events.add(page);
    }

    @Override
    public void onError(Throwable t) {
      events.add(new End(t));
    }

    @Override
    public void onCompleted() {
      events.add(new End(null));
    }
  }

  /**
   * Passes pages on while each starts after the last client of the one before; the pages of one
   * listing come from one caller's thread, one after another.
   */
  private final class InClientIdOrder implements Consumer<List<ClientConnection>> {
    private final Consumer<? super List<ClientConnection>> pages;
    private ClientConnection last;

    InClientIdOrder(Consumer<? super List<ClientConnection>> pages) {
      this.pages = pages;
    }

    @Override
    public void accept(List<ClientConnection> page) {
      ClientConnection first = page.get(0);
      if (last != null) {
        int order = BY_CLIENT_ID.compare(last, first);
        if (order >= 0) {
          throw new RemoteCallException(
              "Server "
                  + target
                  + (order == 0
                      ? " listed client " + first.clientId().value() + " twice"
                      : " listed client "
                          + first.clientId().value()
                          + " after "
                          + last.clientId().value()
                          + ", out of client-ID order"));
        }
      }
      last = page.get(page.size() - 1);
      pages.accept(page);
    }
  }

  /** Every page, into one list: sorted at the end if the pages were not in order. */
  private static final class Collected implements Consumer<List<ClientConnection>> {
    private final List<ClientConnection> clients = new ArrayList<>();
    private boolean sorted = true;

    @Override
    public void accept(List<ClientConnection> page) {
      if (sorted
          && !clients.isEmpty()
          && BY_CLIENT_ID.compare(clients.get(clients.size() - 1), page.get(0)) >= 0) {
        sorted = false;
      }
      clients.addAll(page);
    }

    List<ClientConnection> sorted() {
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

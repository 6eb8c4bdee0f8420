package org.connectionregistry.adapter.grpc.client;

import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.connectionregistry.adapter.grpc.StatusMapping;
import org.connectionregistry.application.port.in.GetClientStatusUseCase;
import org.connectionregistry.application.port.in.ListClientsUseCase;
import org.connectionregistry.application.port.in.RemoteCallFailedException;
import org.connectionregistry.application.port.in.SendMessageCommand;
import org.connectionregistry.application.port.in.SendMessageUseCase;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.InvalidInputException;
import org.connectionregistry.domain.RegistryUnavailableException;
import org.connectionregistry.domain.StatusChange;
import org.connectionregistry.proto.ClientServiceGrpc;
import org.connectionregistry.proto.ClientServiceGrpc.ClientServiceBlockingStub;
import org.connectionregistry.proto.ClientStatusRequest;
import org.connectionregistry.proto.ClientStatusResponse;
import org.connectionregistry.proto.MessageRequest;
import org.connectionregistry.proto.MessageResponse;

/**
 * The use cases, carried out by a remote registry server (ours, or the original Python one: the
 * wire is the same). It makes the unary calls itself and leaves listings to {@link
 * ClientListing}. Status codes come back as the domain errors the server started from ({@link
 * StatusMapping}), so a caller cannot tell a remote registry from a local one except by its
 * slowness, and by the {@link RemoteCallFailedException} a failed call is.
 */
public final class GrpcConnectionClient
    implements SendMessageUseCase, GetClientStatusUseCase, ListClientsUseCase {

  private final ClientServiceBlockingStub stub;
  private final Duration deadline;
  private final StatusMapping errors;
  private final ServerAnswers answers;
  private final ClientListing listing;

  /**
   * @param channel where the server is; the caller owns it and shuts it down
   * @param target how to name the server in messages, e.g. {@code localhost:50051}
   * @param deadline how long each call may take before the server counts as unavailable
   */
  public GrpcConnectionClient(Channel channel, String target, Duration deadline) {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(target, "target");
    this.deadline = Objects.requireNonNull(deadline, "deadline");
    if (deadline.isNegative() || deadline.isZero()) {
      throw new IllegalArgumentException("deadline must be positive, got " + deadline);
    }
    this.stub = ClientServiceGrpc.newBlockingStub(channel);
    this.errors = new StatusMapping(target, deadline);
    this.answers = new ServerAnswers(target);
    this.listing =
        new ClientListing(
            ClientServiceGrpc.newStub(channel),
            target,
            deadline,
            errors,
            answers,
            new LegacyListing(stub, deadline, errors, answers));
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
      throw errors.sendMessageFailed(e, command);
    }
    if (!response.getSuccess()) {
      throw new InvalidInputException(response.getInfo());
    }
    return new StatusChange(
        command.clientId(), answers.statusAfter(command.message(), response.getInfo()));
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
      throw errors.getClientStatusFailed(e, clientId);
    }
    return answers.statusOf(clientId, response);
  }

  /**
   * Every client, through the streamed ListClients call, or the legacy way from a server that
   * predates it; see {@link ClientListing}.
   */
  @Override
  public List<ClientConnection> listClients() {
    return listing.all();
  }

  /**
   * Hands over each page of the streamed ListClients call as it arrives, on the caller's thread.
   * The next page is asked for only once {@code pages} has returned, so a slow consumer holds the
   * server back (through gRPC flow control) instead of letting pages pile up here. The deadline
   * bounds each wait for the next page, not the consumer's time nor the whole listing.
   *
   * <p>From a server that predates ListClients, the legacy GetClientStatus("") answer, downloaded
   * once, sorted, in pages of up to {@link #PAGE_SIZE}.
   *
   * @throws RegistryUnavailableException if the server's registry cannot be reached
   * @throws RemoteCallFailedException if the server cannot be reached, sends no page within the
   *     deadline, fails the call otherwise, or its answer breaks the contract (pages that overlap
   *     or go backwards, for one: the pages before are already handed over)
   */
  @Override
  public void forEachClientPage(Consumer<? super List<ClientConnection>> pages) {
    Objects.requireNonNull(pages, "pages");
    listing.forEachPage(pages);
  }

  /**
   * One page, in one ListClients call that asks for only that page, rather than the port's
   * default, which would list everything for each page. No caller of ours needs it (the console
   * lists through {@link #forEachClientPage}), but the port promises it. A server that predates
   * ListClients can only send the whole list, once for each page asked for.
   */
  @Override
  public List<ClientConnection> listClientsPage(Optional<ClientId> after, int limit) {
    return listing.page(after, limit);
  }

  /** A deadline counts from the call, so each call gets a fresh one. */
  private ClientServiceBlockingStub stubWithDeadline() {
    return stub.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS);
  }
}

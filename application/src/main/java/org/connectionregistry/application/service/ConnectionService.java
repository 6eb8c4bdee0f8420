package org.connectionregistry.application.service;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.connectionregistry.application.port.in.GetClientStatusUseCase;
import org.connectionregistry.application.port.in.ListClientsUseCase;
import org.connectionregistry.application.port.in.SendMessageCommand;
import org.connectionregistry.application.port.in.SendMessageUseCase;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ClientNotFoundException;
import org.connectionregistry.domain.ConnectionMessage;
import org.connectionregistry.domain.ConnectionRegistry;
import org.connectionregistry.domain.DomainException;
import org.connectionregistry.domain.Stages;
import org.connectionregistry.domain.StatusChange;

/**
 * The use cases, carried out on whichever {@link ConnectionRegistry} it is given. The
 * asynchronous forms are the real ones: they pass the registry's stages on, so no thread waits
 * for a store. The blocking forms wait for them, for callers such as a console.
 */
public final class ConnectionService
    implements SendMessageUseCase, GetClientStatusUseCase, ListClientsUseCase {

  private final ConnectionRegistry registry;

  public ConnectionService(ConnectionRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  @Override
  public CompletionStage<StatusChange> sendMessageAsync(SendMessageCommand command) {
    // Interpret first: a message that is not understood changes nothing.
    ConnectionMessage message;
    try {
      message = ConnectionMessage.interpret(command.message());
    } catch (DomainException e) {
      return Stages.failed(e);
    }
    return record(command.clientId(), message);
  }

  /**
   * Records what a message already interpreted leads to: {@link #sendMessageAsync} after its
   * interpretation, for a caller that had to read the message first ({@link SessionService}), so
   * that no message is interpreted twice.
   */
  CompletionStage<StatusChange> record(ClientId clientId, ConnectionMessage message) {
    StatusChange change = new StatusChange(clientId, message.resultingStatus());
    // The future itself for the stores' CompletableFutures (a minimal stage answers no questions).
    CompletableFuture<ClientConnection> recorded =
        registry.record(clientId, change.status()).toCompletableFuture();
    if (recorded.isDone() && !recorded.isCompletedExceptionally()) {
      // Done already (the in-memory store): no callback to chain.
      return CompletableFuture.completedFuture(change);
    }
    return recorded.thenApply(done -> change);
  }

  @Override
  public StatusChange sendMessage(SendMessageCommand command) {
    return Stages.await(sendMessageAsync(command));
  }

  @Override
  public CompletionStage<ClientConnection> getClientStatusAsync(ClientId clientId) {
    return registry
        .statusOf(clientId)
        .thenApply(
            status ->
                status
                    .map(found -> new ClientConnection(clientId, found))
                    .orElseThrow(() -> new ClientNotFoundException(clientId)));
  }

  @Override
  public ClientConnection getClientStatus(ClientId clientId) {
    return Stages.await(getClientStatusAsync(clientId));
  }

  @Override
  public long currentRevision() {
    return registry.changes().latestRevision();
  }

  @Override
  public CompletionStage<List<ClientConnection>> listClientsAsync() {
    return registry.listAll();
  }

  @Override
  public List<ClientConnection> listClients() {
    return Stages.await(listClientsAsync());
  }

  @Override
  public CompletionStage<List<ClientConnection>> listClientsPageAsync(
      Optional<ClientId> after, int limit) {
    return registry.list(after, limit);
  }

  @Override
  public List<ClientConnection> listClientsPage(Optional<ClientId> after, int limit) {
    return Stages.await(listClientsPageAsync(after, limit));
  }
}

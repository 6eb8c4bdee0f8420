package org.connectionregistry.application.service;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.connectionregistry.application.port.in.GetClientStatusUseCase;
import org.connectionregistry.application.port.in.ListClientsUseCase;
import org.connectionregistry.application.port.in.SendMessageCommand;
import org.connectionregistry.application.port.in.SendMessageUseCase;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ClientNotFoundException;
import org.connectionregistry.domain.ConnectionMessage;
import org.connectionregistry.domain.ConnectionRegistry;
import org.connectionregistry.domain.StatusChange;

/** The use cases, carried out on whichever {@link ConnectionRegistry} it is given. */
public final class ConnectionService
    implements SendMessageUseCase, GetClientStatusUseCase, ListClientsUseCase {

  private final ConnectionRegistry registry;

  public ConnectionService(ConnectionRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  @Override
  public StatusChange sendMessage(SendMessageCommand command) {
    // Interpret first: a message that is not understood changes nothing.
    ConnectionMessage message = ConnectionMessage.interpret(command.message());
    StatusChange change = new StatusChange(command.clientId(), message.resultingStatus());
    registry.record(change.clientId(), change.status());
    return change;
  }

  @Override
  public ClientConnection getClientStatus(ClientId clientId) {
    return registry
        .statusOf(clientId)
        .map(status -> new ClientConnection(clientId, status))
        .orElseThrow(() -> new ClientNotFoundException(clientId));
  }

  @Override
  public List<ClientConnection> listClients() {
    return registry.listAll();
  }

  @Override
  public List<ClientConnection> listClientsPage(Optional<ClientId> after, int limit) {
    return registry.list(after, limit);
  }
}

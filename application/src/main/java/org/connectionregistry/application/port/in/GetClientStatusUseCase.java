package org.connectionregistry.application.port.in;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientId;

/** Anyone asks whether one client is connected. */
public interface GetClientStatusUseCase {

  /**
   * @throws org.connectionregistry.domain.ClientNotFoundException if the client never sent a
   *     message
   * @throws org.connectionregistry.domain.RegistryUnavailableException if the registry cannot be
   *     reached
   */
  ClientConnection getClientStatus(ClientId clientId);

  /**
   * The same, without waiting: the stage completes with the client's status, or fails with what
   * {@link #getClientStatus} would throw. This default does the work on the calling thread;
   * implementations that can do it without waiting override it.
   */
  default CompletionStage<ClientConnection> getClientStatusAsync(ClientId clientId) {
    try {
      return CompletableFuture.completedStage(getClientStatus(clientId));
    } catch (RuntimeException e) {
      return CompletableFuture.failedStage(e);
    }
  }
}

package org.connectionregistry.application.port.in;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.connectionregistry.domain.StatusChange;

/** A client says Hello (it is connected) or Goodbye (it is disconnected). */
public interface SendMessageUseCase {

  /**
   * Records the status the message leads to.
   *
   * @return the client's new status; its description is what the sender is told
   * @throws org.connectionregistry.domain.InvalidMessageException if the message is neither Hello
   *     nor Goodbye; nothing is recorded
   * @throws org.connectionregistry.domain.RegistryUnavailableException if the registry cannot be
   *     reached
   */
  StatusChange sendMessage(SendMessageCommand command);

  /**
   * The same, without waiting: the stage completes with the change, or fails with what {@link
   * #sendMessage} would throw. A server calls this, so that no thread waits for the registry.
   * This default does the work of {@link #sendMessage} on the calling thread; implementations
   * that can do it without waiting override it.
   */
  default CompletionStage<StatusChange> sendMessageAsync(SendMessageCommand command) {
    try {
      return CompletableFuture.completedStage(sendMessage(command));
    } catch (RuntimeException e) {
      return CompletableFuture.failedStage(e);
    }
  }
}

package org.connectionregistry.application.port.in;

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
}

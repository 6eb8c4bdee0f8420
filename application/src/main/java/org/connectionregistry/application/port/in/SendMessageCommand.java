package org.connectionregistry.application.port.in;

import java.util.Objects;
import org.connectionregistry.domain.ClientId;

/**
 * A client's message, as it was sent. The message stays raw: deciding what it means is the
 * registry's job, so that a remote registry sees exactly what the user typed.
 */
public record SendMessageCommand(ClientId clientId, String message) {

  public SendMessageCommand {
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(message, "message");
  }
}

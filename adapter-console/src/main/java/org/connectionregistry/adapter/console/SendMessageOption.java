package org.connectionregistry.adapter.console;

import java.util.Optional;
import org.connectionregistry.application.port.in.SendMessageCommand;
import org.connectionregistry.application.port.in.SendMessageUseCase;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.StatusChange;

/** Option 1: a client says Hello or Goodbye. */
final class SendMessageOption implements MenuOption {

  private final SendMessageUseCase sendMessage;

  SendMessageOption(SendMessageUseCase sendMessage) {
    this.sendMessage = sendMessage;
  }

  @Override
  public String label() {
    return "Send Message";
  }

  @Override
  public Next run(Console console) {
    Optional<String> typedId = console.ask("Enter client ID: ");
    if (typedId.isEmpty()) {
      return Next.STOP;
    }
    // Both answers are read before either is judged, so a script that pipes an ID and a
    // message stays in step with the menu even when the ID is refused.
    Optional<String> message = console.ask("Enter message (Hello/Goodbye): ");
    if (message.isEmpty()) {
      return Next.STOP;
    }
    ClientId clientId = ClientIds.parse(typedId.get());
    // The message goes as typed: the use case decides what it means and quotes it if refused.
    StatusChange change = sendMessage.sendMessage(new SendMessageCommand(clientId, message.get()));
    console.say("Server Response: " + change.description());
    return Next.SHOW_MENU;
  }
}

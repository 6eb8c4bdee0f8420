package org.connectionregistry.adapter.console;

import java.util.Optional;
import org.connectionregistry.application.port.in.GetClientStatusUseCase;
import org.connectionregistry.application.port.in.ListClientsUseCase;
import org.connectionregistry.domain.ClientConnection;

/** Option 2: the status of one client, or of every client when no ID is given. */
final class GetClientStatusOption implements MenuOption {

  private final GetClientStatusUseCase getClientStatus;
  private final ListClientsUseCase listClients;

  GetClientStatusOption(GetClientStatusUseCase getClientStatus, ListClientsUseCase listClients) {
    this.getClientStatus = getClientStatus;
    this.listClients = listClients;
  }

  @Override
  public String label() {
    return "Get Client Status";
  }

  @Override
  public Next run(Console console) {
    Optional<String> typedId = console.ask("Enter client ID (leave empty for all clients): ");
    if (typedId.isEmpty()) {
      return Next.STOP;
    }
    if (typedId.get().isBlank()) {
      showAll(console);
    } else {
      show(console, getClientStatus.getClientStatus(ClientIds.parse(typedId.get())));
    }
    return Next.SHOW_MENU;
  }

  /**
   * Prints each page as it arrives, so no listing needs all its clients in memory at once; the
   * use case hands them over sorted by client ID, as the contract wants them printed. If the
   * listing fails midway, the lines printed so far stay, and the menu reports the error after
   * them.
   */
  private void showAll(Console console) {
    boolean[] anyShown = {false};
    listClients.forEachClientPage(
        page -> {
          for (ClientConnection client : page) {
            show(console, client);
          }
          console.flush(); // the page shows while the next one is on its way
          anyShown[0] = true;
        });
    if (!anyShown[0]) {
      console.say("No clients registered.");
    }
  }

  private static void show(Console console, ClientConnection client) {
    console.say("Client ID: " + client.clientId().value() + ", Status: " + client.status().label());
  }
}

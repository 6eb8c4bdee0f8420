package org.connectionregistry.adapter.console;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.connectionregistry.application.port.in.GetClientStatusUseCase;
import org.connectionregistry.application.port.in.ListClientsUseCase;
import org.connectionregistry.application.port.in.RemoteCallFailedException;
import org.connectionregistry.application.port.in.SendMessageUseCase;
import org.connectionregistry.domain.ClientNotFoundException;
import org.connectionregistry.domain.DomainException;
import org.connectionregistry.domain.InvalidInputException;

/**
 * The interactive menu of the original console client, word for word, driven through the use
 * cases only: whether they run in this process or on a remote server is not its concern.
 *
 * <p>It reads UTF-8 lines and works the same from a terminal or a pipe: every prompt is flushed,
 * and the end of input, at the menu or in the middle of an option, ends the menu cleanly.
 *
 * <p>Decisions where the original was silent:
 *
 * <ul>
 *   <li>Surrounding whitespace of a typed client ID is dropped before it is validated; a client ID
 *       may not contain whitespace, so {@code " user_1 "} can only mean {@code user_1}. In option 2,
 *       an answer of only whitespace counts as empty and lists every client.
 *   <li>Option 1 asks for the client ID and the message before judging either, so a script that
 *       pipes both stays in step with the menu even when the ID is refused.
 *   <li>Surrounding whitespace of a menu choice is ignored.
 *   <li>An empty registry is listed as {@code No clients registered.}, not as nothing at all.
 *   <li>Every error is one line and the menu goes on; the user never sees a stack trace.
 * </ul>
 */
public final class ConsoleMenu {

  private final Map<String, MenuOption> options = new LinkedHashMap<>();
  private final Console console;

  public ConsoleMenu(
      SendMessageUseCase sendMessage,
      GetClientStatusUseCase getClientStatus,
      ListClientsUseCase listClients,
      InputStream in,
      PrintStream out) {
    options.put("1", new SendMessageOption(Objects.requireNonNull(sendMessage, "sendMessage")));
    options.put(
        "2",
        new GetClientStatusOption(
            Objects.requireNonNull(getClientStatus, "getClientStatus"),
            Objects.requireNonNull(listClients, "listClients")));
    options.put("3", new ExitOption());
    this.console = new Console(in, out);
  }

  /** Shows the menu and carries out choices until the user exits or the input ends. */
  public void run() {
    try {
      MenuOption.Next next = MenuOption.Next.SHOW_MENU;
      while (next == MenuOption.Next.SHOW_MENU) {
        showOptions();
        Optional<String> choice = console.ask("Select an option: ");
        if (choice.isEmpty()) {
          return;
        }
        MenuOption option = options.get(choice.get().strip());
        if (option == null) {
          console.say("Invalid choice. Please try again.");
        } else {
          next = runReportingErrors(option);
        }
      }
    } finally {
      console.flush(); // the last lines, such as "Exiting client.", with no prompt after them
    }
  }

  private void showOptions() {
    console.say("");
    console.say("Options:");
    options.forEach((key, option) -> console.say("    " + key + ". " + option.label()));
  }

  private MenuOption.Next runReportingErrors(MenuOption option) {
    try {
      return option.run(console);
    } catch (InvalidInputException e) {
      reportError("Invalid argument error: ", e.getMessage());
    } catch (ClientNotFoundException e) {
      reportError("Client not found: ", e.getMessage());
    } catch (DomainException e) {
      // Includes RegistryUnavailableException, whose message already names the server.
      reportError("Error: ", e.getMessage());
    } catch (RemoteCallFailedException e) {
      // The server could not be reached or answered amiss; its message names the server.
      reportError("Error: ", e.getMessage());
    } catch (RuntimeException e) {
      // A fault of ours or of a transport: still one line, and the menu goes on.
      reportError("Error: ", e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }
    return MenuOption.Next.SHOW_MENU;
  }

  private void reportError(String prefix, String message) {
    // A message from a remote server may span lines; the user reads one error per line.
    console.say(prefix + (message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", " ")));
  }
}

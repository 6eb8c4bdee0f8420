package org.connectionregistry.adapter.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.connectionregistry.domain.ConnectionStatus.CONNECTED;
import static org.connectionregistry.domain.ConnectionStatus.DISCONNECTED;

import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.connectionregistry.application.port.in.GetClientStatusUseCase;
import org.connectionregistry.application.port.in.ListClientsUseCase;
import org.connectionregistry.application.port.in.RemoteCallFailedException;
import org.connectionregistry.application.port.in.SendMessageCommand;
import org.connectionregistry.application.port.in.SendMessageUseCase;
import org.connectionregistry.application.service.ConnectionService;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.InMemoryConnectionRegistry;
import org.connectionregistry.domain.RegistryUnavailableException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The console table of CONTRACT.md, row by row, as a user at the menu reads it. */
@Feature("Console client")
@DisplayName("Console client: the menu, row by row of the console table")
class ConsoleMenuTest {

  private ConnectionService service;

  @BeforeEach
  void newRegistry() {
    service = new ConnectionService(new InMemoryConnectionRegistry());
  }

  private ConsoleSession session(String input) {
    return ConsoleSession.run(service, service, service, input);
  }

  private List<String> replies(String input) {
    return session(input).replies();
  }

  private void connected(String... clientIds) {
    StringBuilder input = new StringBuilder();
    for (String clientId : clientIds) {
      input.append("1\n").append(clientId).append("\nHello\n");
    }
    session(input.toString());
  }

  @Nested
  @DisplayName("The menu")
  @Story("Menu")
  class Menu {

    @Test
    @DisplayName("shows the original's options and prompt, word for word, the prompt flushed")
    void showsTheOriginalWords() {
      String output = session("3\n").output();

      assertThat(output.lines().map(String::strip).toList())
          .containsSubsequence(
              "Options:",
              "1. Send Message",
              "2. Get Client Status",
              "3. Exit",
              "Select an option: Exiting client.");
      assertThat(output).contains("3. Exit\nSelect an option: Exiting client.\n");
    }

    @Test
    @DisplayName("shows every prompt before it reads the answer, so a pipe can drive it")
    void flushesEveryPromptBeforeReading() {
      LineByLineInput input =
          new LineByLineInput("1", "user_1", "Hello", "2", "", "2", "user_1", "3");
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      // Buffered and without autoflush: only the menu's own flushes make a prompt visible.
      PrintStream out =
          new PrintStream(new BufferedOutputStream(bytes), false, StandardCharsets.UTF_8);
      input.watch(bytes);

      new ConsoleMenu(service, service, service, input, out).run();

      assertThat(input.seenBeforeEachLine())
          .hasSize(8)
          .satisfiesExactly(
              seen -> assertThat(seen).endsWith("Select an option: "),
              seen -> assertThat(seen).endsWith("Enter client ID: "),
              seen -> assertThat(seen).endsWith("Enter message (Hello/Goodbye): "),
              seen -> assertThat(seen).endsWith("Select an option: "),
              seen -> assertThat(seen).endsWith("Enter client ID (leave empty for all clients): "),
              seen -> assertThat(seen).endsWith("Select an option: "),
              seen -> assertThat(seen).endsWith("Enter client ID (leave empty for all clients): "),
              seen -> assertThat(seen).endsWith("Select an option: "));
    }

    @Test
    @DisplayName("shows its last words when it ends, though no prompt follows them")
    void flushesWhatItSaysLast() {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      // Buffered and without autoflush: only the menu's own flushes make a line visible.
      PrintStream out =
          new PrintStream(new BufferedOutputStream(bytes), false, StandardCharsets.UTF_8);

      new ConsoleMenu(service, service, service, stream("4\n3\n"), out).run();

      assertThat(bytes.toString(StandardCharsets.UTF_8))
          .contains("Invalid choice. Please try again.\n")
          .endsWith("Select an option: Exiting client.\n");
    }

    @Test
    @DisplayName("says 'Invalid choice. Please try again.' to anything but 1, 2 or 3, and goes on")
    @Story("Invalid choice")
    void rejectsAnyOtherChoice() {
      assertThat(replies("4\n\nhello\n1 2\n0\n3\n"))
          .containsExactly(
              "Invalid choice. Please try again.",
              "Invalid choice. Please try again.",
              "Invalid choice. Please try again.",
              "Invalid choice. Please try again.",
              "Invalid choice. Please try again.",
              "Exiting client.");
    }

    @Test
    @DisplayName("ignores whitespace around a choice")
    void ignoresWhitespaceAroundAChoice() {
      assertThat(replies("  1 \nuser_1\nHello\n\t3  \n"))
          .containsExactly("Server Response: Client user_1 marked as connected.", "Exiting client.");
    }

    @Test
    @DisplayName("reads UTF-8, so a client ID in any script comes through intact")
    void readsUtf8() {
      assertThat(replies("1\nZoë_用户\nHello\n2\nZoë_用户\n"))
          .containsExactly(
              "Server Response: Client Zoë_用户 marked as connected.",
              "Client ID: Zoë_用户, Status: connected");
    }
  }

  @Nested
  @DisplayName("Option 1, Send Message")
  @Story("Send Message")
  class SendMessage {

    @Test
    @DisplayName("Hello marks the client connected and shows the server's response")
    void helloConnects() {
      assertThat(replies("1\nuser_1\nHello\n2\nuser_1\n"))
          .containsExactly(
              "Server Response: Client user_1 marked as connected.",
              "Client ID: user_1, Status: connected");
    }

    @Test
    @DisplayName("Goodbye marks the client disconnected")
    void goodbyeDisconnects() {
      assertThat(replies("1\nuser_1\nHello\n1\nuser_1\nGoodbye\n2\nuser_1\n"))
          .containsExactly(
              "Server Response: Client user_1 marked as connected.",
              "Server Response: Client user_1 marked as disconnected.",
              "Client ID: user_1, Status: disconnected");
    }

    @Test
    @DisplayName("asks for the client ID, then the message, then shows the response")
    void asksInTheOriginalOrder() {
      assertThat(session("1\nuser_1\nHello\n").lines())
          .contains(
              "Select an option: Enter client ID: Enter message (Hello/Goodbye): "
                  + "Server Response: Client user_1 marked as connected.");
    }

    @Test
    @DisplayName("a message that is neither Hello nor Goodbye is refused and changes nothing")
    void rejectsOtherMessages() {
      connected("user_1");

      assertThat(replies("1\nuser_1\nHurrah\n2\nuser_1\n"))
          .containsExactly(
              "Invalid argument error: Invalid message type: Hurrah",
              "Client ID: user_1, Status: connected");
    }

    @Test
    @DisplayName("a refused message is quoted as the user typed it")
    void quotesTheRefusedMessageAsTyped() {
      assertThat(replies("1\nuser_1\n Hi there \n"))
          .containsExactly("Invalid argument error: Invalid message type:  Hi there");
    }

    @Test
    @DisplayName("an invalid client ID is refused with the reason, and nothing is recorded")
    void rejectsAnInvalidClientId() {
      assertThat(replies("1\nuser 1\nHello\n1\n\nHello\n2\n\n"))
          .containsExactly(
              "Invalid argument error: Client ID must contain only letters, digits and _ - . @,"
                  + " but has U+0020 at position 5",
              "Invalid argument error: Client ID must not be empty",
              "No clients registered.");
    }

    @Test
    @DisplayName("asks for the message even after an invalid client ID, so a script stays in step")
    void staysInStepAfterAnInvalidClientId() {
      // Were the message not read, "3" would be taken for the Exit choice.
      assertThat(replies("1\nbad/id\n3\n1\nuser_1\nHello\n3\n"))
          .containsExactly(
              "Invalid argument error: Client ID must contain only letters, digits and _ - . @,"
                  + " but has '/' (U+002F) at position 4",
              "Server Response: Client user_1 marked as connected.",
              "Exiting client.");
    }

    @Test
    @DisplayName("whitespace around a typed client ID is dropped")
    void stripsWhitespaceAroundTheClientId() {
      assertThat(replies("1\n  user_1\t\nHello\n2\n\n"))
          .containsExactly(
              "Server Response: Client user_1 marked as connected.",
              "Client ID: user_1, Status: connected");
    }

    @Test
    @DisplayName("the seed's users 1, user_1 and User_001 are accepted")
    void acceptsTheSeedsUsers() {
      assertThat(replies("1\n1\nHello\n1\nuser_1\nGoodbye\n1\nUser_001\nhello\n"))
          .containsExactly(
              "Server Response: Client 1 marked as connected.",
              "Server Response: Client user_1 marked as disconnected.",
              "Server Response: Client User_001 marked as connected.");
    }
  }

  @Nested
  @DisplayName("Option 2, Get Client Status")
  @Story("Get Client Status")
  class GetClientStatus {

    @Test
    @DisplayName("an empty answer lists every client, one line each, sorted by client ID")
    void listsEveryClientSorted() {
      connected("user_1", "1", "User_001", "alice");
      session("1\nalice\nGoodbye\n");

      assertThat(replies("2\n\n"))
          .containsExactly(
              "Client ID: 1, Status: connected",
              "Client ID: User_001, Status: connected",
              "Client ID: alice, Status: disconnected",
              "Client ID: user_1, Status: connected");
    }

    @Test
    @DisplayName("an answer of only whitespace also lists every client")
    void blankAnswerListsEveryClient() {
      connected("user_1");

      assertThat(replies("2\n   \n")).containsExactly("Client ID: user_1, Status: connected");
    }

    @Test
    @DisplayName("an empty registry is listed as 'No clients registered.'")
    void saysSoWhenNoClientIsRegistered() {
      assertThat(replies("2\n\n")).containsExactly("No clients registered.");
    }

    @Test
    @DisplayName("a client ID shows that one client only")
    void showsOneClient() {
      connected("user_1", "user_2");

      assertThat(replies("2\nuser_2\n2\n user_1 \n"))
          .containsExactly(
              "Client ID: user_2, Status: connected", "Client ID: user_1, Status: connected");
    }

    @Test
    @DisplayName("an unknown client ID says 'Client not found', and the menu goes on")
    void saysWhenAClientIsUnknown() {
      assertThat(replies("2\nghost\n3\n"))
          .containsExactly("Client not found: Client ghost not found", "Exiting client.");
    }

    @Test
    @DisplayName("an invalid client ID is refused with the reason")
    void rejectsAnInvalidClientId() {
      assertThat(replies("2\nuser#1\n"))
          .containsExactly(
              "Invalid argument error: Client ID must contain only letters, digits and _ - . @,"
                  + " but has '#' (U+0023) at position 5");
    }

    @Test
    @DisplayName("a listing of several pages prints every client of every page, in client-ID order")
    void listsEveryPageInOrder() {
      int count = 2 * ListClientsUseCase.PAGE_SIZE + 1;
      List<String> expected = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        String clientId = String.format("user_%05d", i);
        boolean disconnected = i % 3 == 0;
        expected.add(
            "Client ID: " + clientId + ", Status: " + (disconnected ? "disconnected" : "connected"));
      }
      // Registered in reverse, so that the order is the listing's doing.
      for (int i = count - 1; i >= 0; i--) {
        String clientId = String.format("user_%05d", i);
        service.sendMessage(
            new SendMessageCommand(ClientId.of(clientId), i % 3 == 0 ? "Goodbye" : "Hello"));
      }

      assertThat(replies("2\n\n")).containsExactlyElementsOf(expected);
    }

    @Test
    @DisplayName("each page is printed as it arrives, before the next is asked for")
    void printsEachPageAsItArrives() {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      // Buffered and without autoflush: only the menu's own flushes make a line visible.
      PrintStream out =
          new PrintStream(new BufferedOutputStream(bytes), false, StandardCharsets.UTF_8);
      List<String> seenBeforeEachPage = new ArrayList<>();
      PagedListing listing =
          new PagedListing(
              List.of(connection("a", CONNECTED), connection("b", DISCONNECTED)),
              List.of(connection("c", CONNECTED)),
              List.of(connection("d", DISCONNECTED)));
      listing.beforeEachPage = () -> seenBeforeEachPage.add(bytes.toString(StandardCharsets.UTF_8));

      new ConsoleMenu(service, service, listing, stream("2\n\n"), out).run();

      assertThat(seenBeforeEachPage).hasSize(3);
      assertThat(seenBeforeEachPage.get(0)).doesNotContain("Client ID:");
      assertThat(seenBeforeEachPage.get(1))
          .endsWith("Client ID: a, Status: connected\nClient ID: b, Status: disconnected\n");
      assertThat(seenBeforeEachPage.get(2)).endsWith("Client ID: c, Status: connected\n");
      assertThat(bytes.toString(StandardCharsets.UTF_8))
          .contains(
              "Enter client ID (leave empty for all clients): Client ID: a, Status: connected\n"
                  + "Client ID: b, Status: disconnected\n"
                  + "Client ID: c, Status: connected\n"
                  + "Client ID: d, Status: disconnected\n\nOptions:");
    }

    @Test
    @DisplayName("a listing that hands over no page is 'No clients registered.'")
    void noPageIsNoClientsRegistered() {
      assertThat(ConsoleSession.run(service, service, new PagedListing(), "2\n\n").replies())
          .containsExactly("No clients registered.");
    }
  }

  @Nested
  @DisplayName("Option 3, Exit")
  @Story("Exit")
  class Exit {

    @Test
    @DisplayName("says 'Exiting client.' and reads nothing after it")
    void exitsAndReadsNothingMore() {
      ConsoleSession session = session("3\n1\nuser_1\nHello\n");

      assertThat(session.output()).endsWith("Select an option: Exiting client.\n");
      assertThat(session.replies()).containsExactly("Exiting client.");
      assertThat(service.listClients()).isEmpty();
    }

    @Test
    @DisplayName("works on a last line without a line break")
    void exitsOnALastLineWithoutLineBreak() {
      assertThat(replies("3")).containsExactly("Exiting client.");
    }
  }

  @Nested
  @DisplayName("The end of input")
  @Story("Driven through a pipe")
  class EndOfInput {

    @Test
    @DisplayName("at the menu ends the menu cleanly, the prompt's line ended")
    void atTheMenu() {
      ConsoleSession session = session("");

      assertThat(session.output()).endsWith("Select an option: \n");
      assertThat(session.replies()).isEmpty();
    }

    @Test
    @DisplayName("after a few operations ends the menu cleanly")
    void afterOperations() {
      ConsoleSession session = session("1\nuser_1\nHello\n");

      assertThat(session.output())
          .endsWith("Select an option: \n")
          .containsOnlyOnce("Server Response: Client user_1 marked as connected.");
    }

    @Test
    @DisplayName("at the client ID of option 1 ends the menu cleanly, recording nothing")
    void atTheClientIdOfOptionOne() {
      assertThat(session("1\n").output()).endsWith("Enter client ID: \n");
      assertThat(service.listClients()).isEmpty();
    }

    @Test
    @DisplayName("at the message of option 1 ends the menu cleanly, recording nothing")
    void atTheMessageOfOptionOne() {
      ConsoleSession session = session("1\nuser_1\n");

      assertThat(session.output()).endsWith("Enter message (Hello/Goodbye): \n");
      assertThat(session.replies()).isEmpty();
      assertThat(service.listClients()).isEmpty();
    }

    @Test
    @DisplayName("at the client ID of option 2 ends the menu cleanly")
    void atTheClientIdOfOptionTwo() {
      ConsoleSession session = session("2\n");

      assertThat(session.output()).endsWith("Enter client ID (leave empty for all clients): \n");
      assertThat(session.replies()).isEmpty();
    }
  }

  @Nested
  @DisplayName("Errors the in-memory registry cannot make")
  @Feature("Console client")
  class Failures {

    private static final String UNAVAILABLE = "Server localhost:50051 is unavailable";

    private final SendMessageUseCase sendFails =
        command -> {
          throw new RegistryUnavailableException(UNAVAILABLE);
        };
    private final GetClientStatusUseCase getFails =
        clientId -> {
          throw new RegistryUnavailableException(UNAVAILABLE);
        };
    private final ListClientsUseCase listFails =
        () -> {
          throw new RegistryUnavailableException(UNAVAILABLE);
        };

    @Test
    @DisplayName("an unavailable server is one line naming it, in every option, and the menu goes on")
    @Story("Server unavailable")
    void unavailableServerIsOneLine() {
      ConsoleSession session =
          ConsoleSession.run(sendFails, getFails, listFails, "1\nuser_1\nHello\n2\n\n2\nuser_1\n3\n");

      assertThat(session.replies())
          .containsExactly(
              "Error: Server localhost:50051 is unavailable",
              "Error: Server localhost:50051 is unavailable",
              "Error: Server localhost:50051 is unavailable",
              "Exiting client.");
    }

    @Test
    @DisplayName("a server that cannot be reached is the same 'Error:' line in every option")
    @Story("Server unavailable")
    void unreachableServerIsTheSameErrorLine() {
      String refused = "Server 127.0.0.1:50051 is unavailable (connection refused)";
      SendMessageUseCase sendUnreachable =
          command -> {
            throw new RemoteCallFailedException(refused);
          };
      GetClientStatusUseCase getUnreachable =
          clientId -> {
            throw new RemoteCallFailedException(refused);
          };
      ListClientsUseCase listUnreachable =
          () -> {
            throw new RemoteCallFailedException(refused, new IllegalStateException("io exception"));
          };

      ConsoleSession session =
          ConsoleSession.run(
              sendUnreachable,
              getUnreachable,
              listUnreachable,
              "1\nuser_1\nHello\n2\n\n2\nuser_1\n3\n");

      assertThat(session.replies())
          .containsExactly(
              "Error: " + refused, "Error: " + refused, "Error: " + refused, "Exiting client.");
    }

    @Test
    @DisplayName("an error message over several lines is shown on one")
    @Story("Errors are one line, never a stack trace")
    void multiLineErrorIsShownOnOneLine() {
      ListClientsUseCase failsOnTwoLines =
          () -> {
            throw new RegistryUnavailableException(UNAVAILABLE + "\n  Connection refused\n");
          };

      assertThat(ConsoleSession.run(service, service, failsOnTwoLines, "2\n\n").replies())
          .containsExactly("Error: Server localhost:50051 is unavailable Connection refused");
    }

    @Test
    @DisplayName("a listing that fails midway keeps the lines printed so far, then says the error")
    @Story("Server unavailable")
    void listingThatFailsMidwayKeepsTheLinesSoFar() {
      PagedListing failsAfterTwoPages =
          new PagedListing(
              List.of(connection("a", CONNECTED), connection("b", DISCONNECTED)),
              List.of(connection("c", CONNECTED)));
      failsAfterTwoPages.thenFailure = new RegistryUnavailableException(UNAVAILABLE);

      ConsoleSession session =
          ConsoleSession.run(service, service, failsAfterTwoPages, "2\n\n2\n\n3\n");

      assertThat(session.replies())
          .containsExactly(
              "Client ID: a, Status: connected",
              "Client ID: b, Status: disconnected",
              "Client ID: c, Status: connected",
              "Error: Server localhost:50051 is unavailable",
              "Client ID: a, Status: connected",
              "Client ID: b, Status: disconnected",
              "Client ID: c, Status: connected",
              "Error: Server localhost:50051 is unavailable",
              "Exiting client.");
      assertThat(session.output()).doesNotContain("No clients registered.");
    }

    @Test
    @DisplayName("an unexpected fault is one 'Error:' line with no stack trace, and the menu goes on")
    @Story("Errors are one line, never a stack trace")
    void unexpectedFaultIsOneLine() {
      SendMessageUseCase broken =
          command -> {
            throw new IllegalStateException("channel shut down");
          };
      GetClientStatusUseCase brokenWithoutMessage =
          clientId -> {
            throw new NullPointerException();
          };

      ConsoleSession session =
          ConsoleSession.run(
              broken, brokenWithoutMessage, service, "1\nuser_1\nHello\n2\nuser_1\n3\n");

      assertThat(session.replies())
          .containsExactly(
              "Error: channel shut down", "Error: NullPointerException", "Exiting client.");
      assertThat(session.output()).doesNotContain("Exception:", "\tat ");
    }
  }

  @Test
  @DisplayName("a session of several operations in a row answers each in turn")
  @Story("Menu")
  void sessionOfSeveralOperations() {
    String input =
        String.join(
            "\n",
            "1", "user_1", "Hello",
            "1", "user_2", "Hello",
            "2", "",
            "1", "user_1", "Goodbye",
            "2", "user_1",
            "7",
            "2", "ghost",
            "1", "user_2", "Ciao",
            "2", "",
            "3");

    assertThat(replies(input))
        .containsExactly(
            "Server Response: Client user_1 marked as connected.",
            "Server Response: Client user_2 marked as connected.",
            "Client ID: user_1, Status: connected",
            "Client ID: user_2, Status: connected",
            "Server Response: Client user_1 marked as disconnected.",
            "Client ID: user_1, Status: disconnected",
            "Invalid choice. Please try again.",
            "Client not found: Client ghost not found",
            "Invalid argument error: Invalid message type: Ciao",
            "Client ID: user_1, Status: disconnected",
            "Client ID: user_2, Status: connected",
            "Exiting client.");
    assertThat(service.listClients()).extracting(ClientConnection::withoutRevision)
        .containsExactly(
            new ClientConnection(ClientId.of("user_1"), ConnectionStatus.DISCONNECTED),
            new ClientConnection(ClientId.of("user_2"), ConnectionStatus.CONNECTED));
  }

  private static ClientConnection connection(String clientId, ConnectionStatus status) {
    return new ClientConnection(ClientId.of(clientId), status);
  }

  private static InputStream stream(String input) {
    return new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * A listing of given pages, handed over one by one, then a failure if one is set; each run
   * starts from the first page again.
   */
  private static final class PagedListing implements ListClientsUseCase {
    private final List<List<ClientConnection>> pages;
    Runnable beforeEachPage = () -> {};
    RuntimeException thenFailure;

    @SafeVarargs
    PagedListing(List<ClientConnection>... pages) {
      this.pages = List.of(pages);
    }

    @Override
    public List<ClientConnection> listClients() {
      throw new AssertionError("the menu lists every client page by page");
    }

    @Override
    public void forEachClientPage(Consumer<? super List<ClientConnection>> consumer) {
      for (List<ClientConnection> page : pages) {
        beforeEachPage.run();
        consumer.accept(page);
      }
      if (thenFailure != null) {
        throw thenFailure;
      }
    }
  }

  /**
   * Input that hands out one line per read, and notes what the user had been shown each time a
   * line was asked for.
   */
  private static final class LineByLineInput extends InputStream {

    private final List<byte[]> lines = new ArrayList<>();
    private final List<String> seenBeforeEachLine = new ArrayList<>();
    private ByteArrayOutputStream screen;
    private ByteArrayInputStream current = new ByteArrayInputStream(new byte[0]);

    LineByLineInput(String... lines) {
      for (String line : lines) {
        this.lines.add((line + "\n").getBytes(StandardCharsets.UTF_8));
      }
    }

    void watch(ByteArrayOutputStream screen) {
      this.screen = screen;
    }

    List<String> seenBeforeEachLine() {
      return seenBeforeEachLine;
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
      if (current.available() == 0) {
        if (lines.isEmpty()) {
          return -1;
        }
        seenBeforeEachLine.add(screen.toString(StandardCharsets.UTF_8));
        current = new ByteArrayInputStream(lines.remove(0));
      }
      return current.read(buffer, offset, length);
    }
  }
}

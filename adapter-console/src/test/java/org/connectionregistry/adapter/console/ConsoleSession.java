package org.connectionregistry.adapter.console;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.connectionregistry.application.port.in.GetClientStatusUseCase;
import org.connectionregistry.application.port.in.ListClientsUseCase;
import org.connectionregistry.application.port.in.SendMessageUseCase;

/** One run of the menu on given input, and what the user saw. */
final class ConsoleSession {

  /** The prompts, which end without a line break, so whatever follows lands on their line. */
  private static final List<String> PROMPTS =
      List.of(
          "Select an option: ",
          "Enter client ID (leave empty for all clients): ",
          "Enter client ID: ",
          "Enter message (Hello/Goodbye): ");

  private final String output;

  private ConsoleSession(String output) {
    this.output = output;
  }

  static ConsoleSession run(
      SendMessageUseCase sendMessage,
      GetClientStatusUseCase getClientStatus,
      ListClientsUseCase listClients,
      String input) {
    return run(
        sendMessage,
        getClientStatus,
        listClients,
        new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
  }

  static ConsoleSession run(
      SendMessageUseCase sendMessage,
      GetClientStatusUseCase getClientStatus,
      ListClientsUseCase listClients,
      InputStream input) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, false, StandardCharsets.UTF_8);
    new ConsoleMenu(sendMessage, getClientStatus, listClients, input, out).run();
    out.flush();
    return new ConsoleSession(bytes.toString(StandardCharsets.UTF_8));
  }

  /** Everything printed, exactly. */
  String output() {
    return output;
  }

  /** Every printed line, prompts included. */
  List<String> lines() {
    return output.lines().toList();
  }

  /**
   * What the menu answered, in order: every line with the prompts in front of it removed, leaving
   * out the menu itself and blank lines.
   */
  List<String> replies() {
    return lines().stream()
        .map(ConsoleSession::withoutLeadingPrompts)
        .filter(line -> !line.isBlank())
        .filter(line -> !isMenuLine(line))
        .toList();
  }

  private static String withoutLeadingPrompts(String line) {
    boolean removed = true;
    while (removed) {
      removed = false;
      for (String prompt : PROMPTS) {
        if (line.startsWith(prompt)) {
          line = line.substring(prompt.length());
          removed = true;
        }
      }
    }
    return line;
  }

  private static boolean isMenuLine(String line) {
    return line.equals("Options:")
        || Arrays.asList("1. Send Message", "2. Get Client Status", "3. Exit")
            .contains(line.strip());
  }
}

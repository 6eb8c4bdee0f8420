package org.connectionregistry.adapter.console;

import io.qameta.allure.Allure;
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

/**
 * One run of the menu on given input, and what the user saw. In the test report a run is a step
 * that names what the user typed, with what the console printed attached.
 */
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
    return Allure.step(
        "the user types " + typed(input),
        () ->
            run(
                sendMessage,
                getClientStatus,
                listClients,
                new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8))));
  }

  /** The typed lines as the user would say them: {@code 1, user_1, Hello, "", 3}. */
  private static String typed(String input) {
    if (input.isEmpty()) {
      return "nothing (end of input)";
    }
    String[] lines = input.split("\n", -1);
    int count = input.endsWith("\n") ? lines.length - 1 : lines.length;
    StringBuilder said = new StringBuilder();
    for (int i = 0; i < count; i++) {
      String line = lines[i];
      said.append(i == 0 ? "" : ", ")
          .append(!line.isEmpty() && line.equals(line.strip()) ? line : '"' + line + '"');
    }
    return said.toString();
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
    String printed = bytes.toString(StandardCharsets.UTF_8);
    Allure.addAttachment("console output", "text/plain", printed, ".txt");
    return new ConsoleSession(printed);
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

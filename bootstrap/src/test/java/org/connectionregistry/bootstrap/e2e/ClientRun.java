package org.connectionregistry.bootstrap.e2e;

import io.qameta.allure.Allure;
import io.qameta.allure.AllureLifecycle;
import io.qameta.allure.model.Parameter;
import io.qameta.allure.model.Status;
import io.qameta.allure.model.StepResult;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * One run of {@code connection-client.jar} whose standard input is a script, as in a pipe.
 *
 * <p>Every run shows in the test report as one step named after what the user did ("client
 * user1 sends Hello, asks for the status of all clients, exits"), with what was typed and what
 * the client printed attached, so every end-to-end test carries them without asking.
 */
record ClientRun(int exitCode, String stdout, String stderr) {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  /** Runs the client with {@code input} piped in (closed afterwards: end of input). */
  static ClientRun of(String input, String... args) throws IOException, InterruptedException {
    long started = System.currentTimeMillis();
    Process process = new ProcessBuilder(Processes.javaCommand(Processes.clientJar(), args)).start();
    Processes.Finished finished = Processes.feedAndWait(process, input, TIMEOUT);
    if (finished.timedOut()) {
      report(
          started, input, args, "none: did not finish", finished.stdout(), finished.stderr(),
          Status.BROKEN);
      throw new AssertionError("client did not finish within " + TIMEOUT + ": " + finished.stdout());
    }
    ClientRun run = new ClientRun(finished.exitCode(), finished.stdout(), finished.stderr());
    report(
        started, input, args, String.valueOf(run.exitCode), run.stdout, run.stderr, Status.PASSED);
    return run;
  }

  /** Runs a client that sends one script against a server target. */
  static ClientRun against(String target, String... scriptLines) throws IOException, InterruptedException {
    return of(String.join("\n", scriptLines) + "\n", "--target", target);
  }

  /**
   * What the client printed, one line per answer: the prompts are dropped, since in a pipe the
   * answer that follows a prompt lands on the prompt's line.
   */
  List<String> answers() {
    String text = stdout;
    for (String prompt : PROMPTS) {
      text = text.replace(prompt, "\n");
    }
    return text.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
  }

  private static final List<String> PROMPTS =
      List.of(
          "Select an option: ",
          "Enter client ID (leave empty for all clients): ",
          "Enter client ID: ",
          "Enter message (Hello/Goodbye): ");

  /**
   * Records the finished run as one step of the running test. Recorded after the run, and one
   * run at a time, because tests start several clients at once from a thread pool and a test's
   * list of steps is not safe to grow from several threads.
   */
  private static synchronized void report(
      long started,
      String input,
      String[] args,
      String exitCode,
      String stdout,
      String stderr,
      Status status) {
    AllureLifecycle lifecycle = Allure.getLifecycle();
    if (lifecycle.getCurrentTestCaseOrStep().isEmpty()) {
      return; // not inside a test (or no report is being recorded)
    }
    String uuid = UUID.randomUUID().toString();
    lifecycle.startStep(uuid, new StepResult().setName(describe(input, args)));
    lifecycle.updateStep(
        uuid,
        step ->
            step.setStart(started)
                .setStatus(status)
                .setParameters(
                    List.of(
                        new Parameter().setName("arguments").setValue(String.join(" ", args)),
                        new Parameter().setName("exit code").setValue(exitCode))));
    Allure.addAttachment("typed into the console client", "text/plain", input, ".txt");
    Allure.addAttachment("console client output", "text/plain", stdout, ".txt");
    if (!stderr.isEmpty()) {
      Allure.addAttachment("console client errors (stderr)", "text/plain", stderr, ".txt");
    }
    lifecycle.stopStep(uuid);
  }

  /**
   * The script in the user's words: {@code 1 user1 Hello 2 "" 3} reads "client user1 sends Hello,
   * asks for the status of all clients, exits".
   */
  static String describe(String input, String... args) {
    List<String> lines = input.isEmpty() ? List.of() : List.of(input.split("\n", -1));
    if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
      lines = lines.subList(0, lines.size() - 1); // the newline that ends the last line
    }
    List<String> actions = new ArrayList<>();
    int i = 0;
    while (i < lines.size()) {
      String choice = lines.get(i++);
      switch (choice.strip()) {
        case "1" -> {
          if (i + 1 < lines.size()) {
            actions.add("client " + shown(lines.get(i)) + " sends " + shown(lines.get(i + 1)));
          } else {
            actions.add("starts sending a message");
          }
          i += 2;
        }
        case "2" -> {
          if (i < lines.size()) {
            String id = lines.get(i);
            actions.add(
                id.isEmpty()
                    ? "asks for the status of all clients"
                    : "asks for the status of " + shown(id));
          } else {
            actions.add("starts asking for a status");
          }
          i += 1;
        }
        case "3" -> actions.add("exits");
        default -> actions.add("chooses " + shown(choice));
      }
    }
    if (!actions.isEmpty() && !actions.get(actions.size() - 1).equals("exits")) {
      actions.add("input ends");
    }
    String client =
        args.length > 0 && !args[0].equals("--target")
            ? "console client started with " + String.join(" ", args)
            : "console client";
    return actions.isEmpty() ? client : client + ": " + String.join(", ", actions);
  }

  /** A word as typed; quoted when spaces or emptiness would not show otherwise. */
  private static String shown(String word) {
    return !word.isEmpty() && word.equals(word.strip()) ? word : '"' + word + '"';
  }
}

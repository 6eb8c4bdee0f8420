package org.connectionregistry.bootstrap.cli;

import picocli.CommandLine;

/** Runs a picocli command the way both launchers need it: one clear line on failure, no stack trace. */
public final class Launcher {

  private Launcher() {}

  /** Parses {@code args}, runs the command and returns its exit code. */
  public static int run(Object command, String... args) {
    CommandLine commandLine = new CommandLine(command);
    commandLine.setExecutionExceptionHandler(
        (exception, cmd, parseResult) -> {
          cmd.getErr().println(cmd.getCommandName() + ": " + describe(exception));
          cmd.getErr().flush();
          return 1;
        });
    try {
      return commandLine.execute(args);
    } catch (Error failure) {
      // picocli hands on Errors (a broken classpath, no memory); they still get one line.
      System.err.println(commandLine.getCommandName() + ": " + describe(failure));
      return 1;
    }
  }

  /** The innermost message, which is usually the one that says what went wrong. */
  public static String describe(Throwable failure) {
    Throwable cause = failure;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    String message = cause.getMessage();
    return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
  }
}

package org.connectionregistry.bootstrap.cli;

import picocli.CommandLine;

/** Runs a picocli command the way both launchers need it: one clear line on failure, no stack trace. */
public final class Launcher {

  private Launcher() {}

  /** Parses {@code args}, runs the command and returns its exit code. */
  public static int run(Object command, String... args) {
    CommandLine commandLine = new CommandLine(command);
    commandLine.setParameterExceptionHandler(
        (exception, args2) -> {
          CommandLine cmd = exception.getCommandLine();
          cmd.getErr().println(cmd.getCommandName() + ": " + exception.getMessage());
          cmd.getErr().println("Try '" + cmd.getCommandName() + " --help' for the options.");
          cmd.getErr().flush();
          return cmd.getCommandSpec().exitCodeOnInvalidInput();
        });
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

  /**
   * The failure's own message, for exceptions written for users (they already say what went
   * wrong in one line); the innermost cause's when it has none.
   */
  public static String describeOnce(Throwable failure) {
    String message = failure.getMessage();
    return message == null || message.isBlank() ? describe(failure) : message.lines().findFirst().orElse(message);
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

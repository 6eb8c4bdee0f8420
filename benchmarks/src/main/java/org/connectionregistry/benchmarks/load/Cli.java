package org.connectionregistry.benchmarks.load;

import picocli.CommandLine;

/** Runs a picocli command the same way for every main here: errors as one line, never a trace. */
final class Cli {

  private Cli() {}

  static CommandLine commandLine(Object command) {
    CommandLine commandLine = new CommandLine(command);
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    commandLine.setExecutionExceptionHandler(
        (e, cl, parseResult) -> {
          cl.getErr().println(cl.getCommandName() + ": " + describe(e));
          return 1;
        });
    return commandLine;
  }

  static String describe(Throwable e) {
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }
}

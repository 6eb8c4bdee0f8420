package org.connectionregistry.benchmarks.load;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Drives one RPC of a running server at a fixed concurrency and prints throughput and latency. */
@Command(
    name = "load-generator",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Drives SendMessage or GetClientStatus over gRPC and reports calls/s and "
        + "latency.")
public final class LoadGenerator implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--target",
      defaultValue = "127.0.0.1:50051",
      description = "host:port of the server (default: ${DEFAULT-VALUE}).")
  String target;

  @Option(
      names = "--rpc",
      defaultValue = "send",
      description = "The RPC to drive: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  Rpc rpc;

  @Option(
      names = "--concurrency",
      defaultValue = "64",
      description = "Calls in flight at any moment (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Mixin LoadShape shape;

  @Override
  public Integer call() throws InterruptedException {
    LoadSettings settings = settings();
    PrintWriter out = spec.commandLine().getOut();
    LoadResult result = LoadRun.run(settings);
    result.reportLines().forEach(out::println);
    out.flush();
    return result.errors() == 0 ? 0 : 1;
  }

  private LoadSettings settings() {
    int colon = target.lastIndexOf(':');
    if (colon <= 0 || colon == target.length() - 1) {
      throw new ParameterException(
          spec.commandLine(), "--target must be host:port, got '" + target + "'");
    }
    int port;
    try {
      port = Integer.parseInt(target.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new ParameterException(
          spec.commandLine(), "--target must end in a port number, got '" + target + "'");
    }
    try {
      return shape.settings(target.substring(0, colon), port, rpc, concurrency);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  public static void main(String[] args) {
    System.exit(Cli.commandLine(new LoadGenerator()).execute(args));
  }
}

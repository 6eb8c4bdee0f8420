package org.connectionregistry.benchmarks.load;

import java.time.Duration;
import org.connectionregistry.commandline.DurationConverter;
import picocli.CommandLine.Option;

/**
 * The shape of a load run that LoadGenerator and Compare share: how many connections, how long,
 * and over how many client IDs. A picocli mixin, so both commands read them the same way.
 */
final class LoadShape {

  @Option(
      names = "--channels",
      defaultValue = "1",
      description = "Connections the calls are spread over (default: ${DEFAULT-VALUE}).")
  int channels;

  @Option(
      names = "--duration",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description = "Measured time of each run (default: ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(
      names = "--warmup",
      defaultValue = "3s",
      converter = DurationConverter.class,
      description = "Unmeasured time before each run (default: ${DEFAULT-VALUE}).")
  Duration warmup;

  @Option(
      names = "--clients",
      defaultValue = "1000",
      description = "Distinct client IDs (user_0000001, ...) the calls are spread over "
          + "(default: ${DEFAULT-VALUE}).")
  int clients;

  /** The settings of one run of {@code rpc} at {@code concurrency} against host:port. */
  LoadSettings settings(String host, int port, Rpc rpc, int concurrency) {
    return new LoadSettings(host, port, rpc, concurrency, channels, warmup, duration, clients);
  }
}

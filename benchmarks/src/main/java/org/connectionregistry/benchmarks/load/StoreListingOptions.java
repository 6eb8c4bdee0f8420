package org.connectionregistry.benchmarks.load;

import io.grpc.Channel;
import java.time.Duration;
import org.connectionregistry.adapter.grpc.client.GrpcConnectionClient;
import org.connectionregistry.commandline.DurationConverter;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * How {@link StoreBenchmark} lists a large registry on every store: how many clients, how fast
 * they are registered, how the listing is read and how often it is timed. A picocli mixin, so the
 * benchmark's own options stay as they were.
 */
final class StoreListingOptions {

  @Option(
      names = "--listing-clients",
      defaultValue = "0",
      description = "After the SendMessage runs, fill a fresh server on each store with this many "
          + "clients over SendMessage and time complete listings of them over ListClients, page "
          + "by page; 0: no listing (default: ${DEFAULT-VALUE}). The issue's figure is 1000000: "
          + "the fill then takes about a minute per store on an idle machine.")
  int clients;

  @Option(
      names = "--listing-in-flight",
      defaultValue = "512",
      description = "SendMessage calls in flight while filling: as many as the store takes "
          + "(default: ${DEFAULT-VALUE}).")
  int inFlight;

  @Option(
      names = "--listing-runs",
      defaultValue = "5",
      description = "Timed listings per store; the table shows the best and the median "
          + "(default: ${DEFAULT-VALUE}).")
  int runs;

  @Option(
      names = "--listing-warmup",
      defaultValue = "20s",
      converter = DurationConverter.class,
      description = "Unmeasured listings first, repeated until this much time has passed (at "
          + "least one): filling warms the SendMessage path, not the listing's (default: "
          + "${DEFAULT-VALUE}).")
  Duration warmup;

  @Option(
      names = "--listing-via",
      defaultValue = "raw",
      description = "How a listing is read: raw (bare protobuf stub: the server and its store) or "
          + "console (the console client's menu printing every page into a discarding stream, "
          + "as a user sees it) (default: ${DEFAULT-VALUE}).")
  Via via;

  @Option(
      names = "--listing-jvm-flags",
      defaultValue = "-Xms2g -Xmx2g",
      description = "JVM flags of the listing's servers (default: ${DEFAULT-VALUE}). The server "
          + "holds at most one client per 2 KiB of heap unless told otherwise (--max-clients "
          + "auto), so 1000000 clients in memory need 2 GB.")
  String jvmFlags;

  /** The ways of reading a listing that the table can show. */
  enum Via {
    RAW,
    CONSOLE;

    /** The way of listing; {@code deadline} bounds a whole listing (the console's, each page). */
    ListingMethod method(Channel channel, String target, Duration deadline) {
      switch (this) {
        case RAW:
          return ListingMethod.rawStream(channel, deadline);
        case CONSOLE:
          return ListingMethod.consoleMenu(new GrpcConnectionClient(channel, target, deadline));
        default:
          throw new IllegalStateException("no listing method for " + this);
      }
    }
  }

  boolean enabled() {
    return clients > 0;
  }

  /** Rejects what cannot be run, before any server is started. */
  void validate(CommandLine commandLine) {
    if (clients < 0) {
      throw new ParameterException(
          commandLine, "--listing-clients must not be negative, got " + clients);
    }
    if (inFlight < 1) {
      throw new ParameterException(
          commandLine, "--listing-in-flight must be at least 1, got " + inFlight);
    }
    if (runs < 1) {
      throw new ParameterException(commandLine, "--listing-runs must be at least 1, got " + runs);
    }
  }
}

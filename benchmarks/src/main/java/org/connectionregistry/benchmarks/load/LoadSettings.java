package org.connectionregistry.benchmarks.load;

import java.time.Duration;
import java.util.Objects;
import org.connectionregistry.commandline.Durations;

/**
 * One load run: which RPC, how many calls in flight over how many connections, for how long, and
 * over how many distinct client IDs.
 */
public record LoadSettings(
    String host,
    int port,
    Rpc rpc,
    int concurrency,
    int channels,
    Duration warmup,
    Duration duration,
    int clients) {

  public LoadSettings {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(rpc, "rpc");
    Objects.requireNonNull(warmup, "warmup");
    Objects.requireNonNull(duration, "duration");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be between 1 and 65535, got " + port);
    }
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be at least 1, got " + concurrency);
    }
    if (channels < 1) {
      throw new IllegalArgumentException("channels must be at least 1, got " + channels);
    }
    if (warmup.isNegative()) {
      throw new IllegalArgumentException("warmup must not be negative, got " + warmup);
    }
    if (duration.isZero() || duration.isNegative()) {
      throw new IllegalArgumentException("duration must be positive, got " + duration);
    }
    if (clients < 1) {
      throw new IllegalArgumentException("clients must be at least 1, got " + clients);
    }
  }

  /** More connections than calls in flight would sit idle. */
  int effectiveChannels() {
    return Math.min(channels, concurrency);
  }

  /** The same run against another port. */
  LoadSettings withPort(int otherPort) {
    return new LoadSettings(
        host, otherPort, rpc, concurrency, channels, warmup, duration, clients);
  }

  /** One line naming the run, for reports. */
  String describe() {
    return rpc.methodName()
        + " to " + host + ":" + port
        + ", concurrency " + concurrency
        + " over " + effectiveChannels() + " channel(s)"
        + ", " + clients + " client IDs"
        + ", warm-up " + Durations.format(warmup)
        + ", measured " + Durations.format(duration);
  }
}

package org.connectionregistry.adapter.grpc;

/** How large a message a channel of ours accepts, for every channel that must agree on it. */
public final class MessageLimits {

  /**
   * Room for the legacy "all clients" answer of {@code GetClientStatus("")}: the original server
   * sends it as one message of about 29 bytes a client, and gRPC's default 4 MiB would refuse
   * registries past about 144,000 clients. The console client's channel accepts this much, and
   * the benchmarks that time the legacy call measure with the same room.
   */
  public static final int LEGACY_LISTING_INBOUND_BYTES = 512 * 1024 * 1024;

  private MessageLimits() {}
}

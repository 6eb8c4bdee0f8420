package org.connectionregistry.benchmarks.load;

import io.grpc.ServerBuilder;

/** Where a gRPC server runs its handlers. */
public enum ExecutorChoice {
  /** On the Netty event loop that read the call: no hand-off, but a slow handler stalls I/O. */
  DIRECT,
  /** On grpc-java's default cached thread pool: one hand-off to another thread per call. */
  DEFAULT;

  void applyTo(ServerBuilder<?> builder) {
    if (this == DIRECT) {
      builder.directExecutor();
    }
  }

  public String optionName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}

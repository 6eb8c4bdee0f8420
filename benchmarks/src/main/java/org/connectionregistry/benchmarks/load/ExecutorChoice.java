package org.connectionregistry.benchmarks.load;

import io.grpc.ServerBuilder;
import java.util.concurrent.ForkJoinPool;

/** Where a gRPC server runs its handlers. */
public enum ExecutorChoice {
  /** On the Netty event loop that read the call: no hand-off, but a slow handler stalls I/O. */
  DIRECT,
  /** On grpc-java's default cached thread pool: one hand-off to another thread per call. */
  DEFAULT,
  /**
   * On a work-stealing pool with one thread per core: still a hand-off, but to threads that stay
   * busy rather than park and wake per call.
   */
  FORKJOIN;

  void applyTo(ServerBuilder<?> builder) {
    switch (this) {
      case DIRECT -> builder.directExecutor();
      case FORKJOIN ->
          builder.executor(
              new ForkJoinPool(
                  Runtime.getRuntime().availableProcessors(),
                  ForkJoinPool.defaultForkJoinWorkerThreadFactory,
                  null,
                  true));
      case DEFAULT -> {
        // grpc-java's own choice.
      }
    }
  }

  public String optionName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}

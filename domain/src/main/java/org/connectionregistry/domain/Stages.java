package org.connectionregistry.domain;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

/** Small helpers for {@link CompletionStage}s: the outcome of an asynchronous call, unwrapped. */
public final class Stages {

  private Stages() {}

  /**
   * Waits for the stage and returns its value, or throws what it failed with, as the call would
   * have thrown it had it been synchronous (not wrapped in a {@link CompletionException}). For
   * callers that have a thread to spare, such as a console; a server never waits.
   */
  public static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().join();
    } catch (CompletionException e) {
      throw asRuntime(cause(e));
    }
  }

  /** The failure itself, without the {@link CompletionException} wrappers stages add. */
  public static Throwable cause(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /** A stage that failed with {@code failure}. */
  public static <T> CompletionStage<T> failed(Throwable failure) {
    return CompletableFuture.failedStage(failure);
  }

  private static RuntimeException asRuntime(Throwable cause) {
    if (cause instanceof RuntimeException runtime) {
      return runtime;
    }
    if (cause instanceof Error error) {
      throw error;
    }
    return new CompletionException(cause);
  }
}

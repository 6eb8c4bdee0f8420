package org.connectionregistry.adapter.grpc.server;

import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.connectionregistry.adapter.grpc.WatchMessages;
import org.connectionregistry.application.port.in.RegistryWatch;
import org.connectionregistry.application.port.in.WatchClientsUseCase;
import org.connectionregistry.application.port.in.WatchEvent;
import org.connectionregistry.proto.WatchResponse;

/**
 * One Watch call: pulls events from its {@link RegistryWatch} only while the transport can take
 * them, so a watcher that reads slowly makes the server hold no more than gRPC's own small buffer
 * and the watch's position, until the watch cuts it off.
 *
 * <p>Everything that touches the call runs in one drain at a time (a work-in-progress counter,
 * no lock, no thread of its own): the transport's "ready again", the watch's "something new" and
 * a cancellation each ask for a drain, and whoever finds none running starts one on the shared
 * {@code executor}, so a thread that appends a change to the feed only schedules its watchers.
 */
final class WatchCall {

  /** Most changes (or snapshot clients) in one message: at most about 600 KB on the wire. */
  static final int MAX_PER_MESSAGE = 1024;

  private final ServerCallStreamObserver<WatchResponse> call;
  private final Executor executor;
  private final Function<Throwable, StatusRuntimeException> toStatus;
  private final AtomicInteger wanted = new AtomicInteger();
  private volatile RegistryWatch watch;
  private volatile boolean cancelled;
  private boolean over; // only read and written inside a drain

  WatchCall(
      ServerCallStreamObserver<WatchResponse> call,
      Executor executor,
      Function<Throwable, StatusRuntimeException> toStatus) {
    this.call = call;
    this.executor = executor;
    this.toStatus = toStatus;
  }

  /** Starts the watch, or ends the call at once if it cannot start (a compacted revision). */
  void start(WatchClientsUseCase watches, OptionalLong afterRevision) {
    call.setOnCancelHandler(
        () -> {
          cancelled = true;
          signal();
        });
    call.setOnReadyHandler(this::signal);
    try {
      watch = watches.watch(afterRevision, this::signal);
    } catch (RuntimeException e) {
      over = true;
      call.onError(toStatus.apply(e));
      return;
    }
    signal();
  }

  private void signal() {
    if (wanted.getAndIncrement() == 0) {
      try {
        executor.execute(this::drain);
      } catch (RejectedExecutionException e) {
        // The server is stopping: its shutdown cancels the call, and nothing is left to send.
        wanted.set(0);
        RegistryWatch current = watch;
        if (current != null) {
          current.close();
        }
      }
    }
  }

  private void drain() {
    int missed = 1;
    do {
      pump();
      missed = wanted.addAndGet(-missed);
    } while (missed != 0);
  }

  private void pump() {
    RegistryWatch current = watch;
    if (over || current == null) {
      return;
    }
    if (cancelled) {
      over = true;
      current.close();
      return;
    }
    try {
      while (call.isReady()) {
        Optional<WatchEvent> event = current.next(MAX_PER_MESSAGE);
        if (event.isEmpty()) {
          return;
        }
        call.onNext(WatchMessages.toResponse(event.get()));
      }
      // Full: nothing is taken, but a watcher cut off meanwhile is ended all the same.
      current.checkStanding();
    } catch (RuntimeException e) {
      over = true;
      current.close();
      call.onError(toStatus.apply(e));
    }
  }
}

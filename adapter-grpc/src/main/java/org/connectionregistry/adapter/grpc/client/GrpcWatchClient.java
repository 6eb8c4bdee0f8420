package org.connectionregistry.adapter.grpc.client;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.adapter.grpc.StatusMapping;
import org.connectionregistry.adapter.grpc.WatchMessages;
import org.connectionregistry.application.port.in.CountClientsUseCase;
import org.connectionregistry.application.port.in.FollowRegistryUseCase;
import org.connectionregistry.application.port.in.RemoteCallFailedException;
import org.connectionregistry.application.port.in.WatchEvent;
import org.connectionregistry.application.port.in.WatcherTooSlowException;
import org.connectionregistry.domain.ClientCounts;
import org.connectionregistry.domain.RevisionCompactedException;
import org.connectionregistry.proto.ClientServiceGrpc;
import org.connectionregistry.proto.CountClientsRequest;
import org.connectionregistry.proto.CountClientsResponse;
import org.connectionregistry.proto.WatchRequest;
import org.connectionregistry.proto.WatchResponse;

/**
 * Follows a remote server's registry through {@code Watch}, and holds on: when the call breaks
 * (the server restarted, the network dropped, the server cut a slow reader off), the follower
 * hears {@code interrupted} once per outage, and the watch is made again after the last revision
 * the follower was given, at once and then at growing intervals up to {@link #MAX_RETRY_DELAY}.
 * A break during the snapshot starts a new snapshot. {@code OUT_OF_RANGE} (the revision is no
 * longer kept) and refusals end it for good ({@code failed}). Also counts clients.
 *
 * <p>Events are handed over on gRPC's threads, one message at a time: the next message is read
 * from the transport only after the follower returns, so a slow follower slows the server's
 * sending down instead of piling messages up here.
 */
public final class GrpcWatchClient implements FollowRegistryUseCase, CountClientsUseCase {

  static final Duration FIRST_RETRY_DELAY = Duration.ofMillis(100);
  static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(1);

  private final ClientServiceGrpc.ClientServiceStub stub;
  private final String target;
  private final Duration deadline;
  private final StatusMapping errors;
  private final ScheduledExecutorService retries;

  /**
   * @param channel where the server is; the caller owns it
   * @param target how to name the server in messages
   * @param deadline how long a count may take (a watch has none: it lasts)
   * @param retries where attempts after a break are scheduled; the caller owns it
   */
  public GrpcWatchClient(
      Channel channel, String target, Duration deadline, ScheduledExecutorService retries) {
    this.stub = ClientServiceGrpc.newStub(Objects.requireNonNull(channel, "channel"));
    this.target = Objects.requireNonNull(target, "target");
    this.deadline = Objects.requireNonNull(deadline, "deadline");
    this.errors = new StatusMapping(target, deadline);
    this.retries = Objects.requireNonNull(retries, "retries");
  }

  @Override
  public CompletionStage<ClientCounts> countClientsAsync() {
    CompletableFuture<ClientCounts> counts = new CompletableFuture<>();
    stub.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS)
        .countClients(
            CountClientsRequest.getDefaultInstance(),
            new StreamObserver<>() {
              @Override
              public void onNext(CountClientsResponse response) {
                counts.complete(WatchMessages.fromProto(response));
              }

              @Override
              public void onError(Throwable failure) {
                counts.completeExceptionally(
                    failure instanceof StatusRuntimeException e ? errors.listingFailed(e) : failure);
              }

              @Override
              public void onCompleted() {
                counts.completeExceptionally(
                    new RemoteCallFailedException("Server " + target + " sent no counts"));
              }
            });
    return counts;
  }

  @Override
  public Following follow(OptionalLong afterRevision, Follower follower) {
    Objects.requireNonNull(afterRevision, "afterRevision");
    RemoteWatch watch = new RemoteWatch(afterRevision, Objects.requireNonNull(follower, "follower"));
    watch.attempt();
    return watch;
  }

  private final class RemoteWatch implements Following {
    private final Follower follower;
    /** The last revision the follower was given; empty while it has no complete snapshot yet. */
    private OptionalLong revision;
    private ClientCallStreamObserver<WatchRequest> call; // the current attempt
    private boolean over;
    private boolean outageReported;
    private boolean interrupted;
    private Duration nextDelay = Duration.ZERO;

    RemoteWatch(OptionalLong afterRevision, Follower follower) {
      this.revision = afterRevision;
      this.follower = follower;
    }

    synchronized void attempt() {
      if (over) {
        return;
      }
      WatchRequest.Builder request = WatchRequest.newBuilder();
      revision.ifPresent(request::setAfterRevision);
      stub.watch(request.build(), new Attempt());
    }

    @Override
    public void close() {
      synchronized (this) {
        if (over) {
          return;
        }
        over = true;
        if (call != null) {
          call.cancel("the watch was closed", null);
        }
      }
    }

    /** One Watch call. */
    private final class Attempt implements ClientResponseObserver<WatchRequest, WatchResponse> {
      private ClientCallStreamObserver<WatchRequest> requests;
      private boolean answered;

      @Override
      public void beforeStart(ClientCallStreamObserver<WatchRequest> requests) {
        this.requests = requests;
        synchronized (RemoteWatch.this) {
          call = requests;
        }
      }

      @Override
      public void onNext(WatchResponse response) {
        List<WatchEvent> events;
        try {
          events = WatchMessages.fromResponse(response);
        } catch (IllegalArgumentException e) {
          requests.cancel("the server sent a change this client does not understand", e);
          fail(new RemoteCallFailedException(
              "Server " + target + " sent a watch message this client cannot read: " + e.getMessage(), e));
          return;
        }
        OptionalLong resumedAfter = null;
        synchronized (RemoteWatch.this) {
          if (over || call != requests) {
            return;
          }
          if (!answered) {
            answered = true;
            outageReported = false;
            nextDelay = Duration.ZERO;
            if (interrupted) {
              interrupted = false;
              resumedAfter = revision;
            }
          }
        }
        if (resumedAfter != null) {
          follower.resumed(resumedAfter);
        }
        for (WatchEvent event : events) {
          synchronized (RemoteWatch.this) {
            if (over) {
              return;
            }
          }
          follower.event(event);
          synchronized (RemoteWatch.this) {
            revision = advance(revision, event);
          }
        }
      }

      @Override
      public void onError(Throwable failure) {
        Status status = Status.fromThrowable(failure);
        RuntimeException meaning =
            failure instanceof StatusRuntimeException e
                ? errors.watchFailed(e)
                : errors.watchFailed(status.asRuntimeException());
        boolean permanent =
            meaning instanceof RevisionCompactedException
                || status.getCode() == Status.Code.INVALID_ARGUMENT
                || status.getCode() == Status.Code.UNIMPLEMENTED
                || status.getCode() == Status.Code.PERMISSION_DENIED
                || status.getCode() == Status.Code.UNAUTHENTICATED;
        boolean tell;
        Duration delay;
        synchronized (RemoteWatch.this) {
          if (over || call != requests) {
            return;
          }
          if (permanent) {
            over = true;
          }
          tell = !over && !outageReported;
          outageReported = true;
          interrupted = true;
          // A watcher cut off for reading slowly comes back at once: the server still holds its place.
          delay = meaning instanceof WatcherTooSlowException ? Duration.ZERO : nextDelay;
          nextDelay =
              nextDelay.isZero() ? FIRST_RETRY_DELAY : min(nextDelay.multipliedBy(2), MAX_RETRY_DELAY);
        }
        if (permanent) {
          follower.failed(meaning);
          return;
        }
        if (tell) {
          follower.interrupted(describe(status, meaning));
        }
        try {
          retries.schedule(RemoteWatch.this::attempt, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
          synchronized (RemoteWatch.this) {
            over = true; // the owner shut the client down: nothing more to follow
          }
        }
      }

      @Override
      public void onCompleted() {
        // A watch never ends by itself; the server stopping ends it this way: hold on.
        onError(Status.UNAVAILABLE.withDescription("the server ended the watch").asRuntimeException());
      }

      private void fail(RuntimeException failure) {
        synchronized (RemoteWatch.this) {
          if (over) {
            return;
          }
          over = true;
        }
        follower.failed(failure);
      }
    }

    private String describe(Status status, RuntimeException meaning) {
      if (meaning instanceof WatcherTooSlowException) {
        return "server " + target + " cut this watcher off for reading too slowly";
      }
      String description = status.getDescription();
      return "server " + target + " "
          + (status.getCode() == Status.Code.UNAVAILABLE ? "unavailable" : status.getCode().toString())
          + (description == null ? "" : ": " + description);
    }
  }

  /**
   * The revision to resume after once {@code event} is handed over: a complete snapshot's, a
   * progress's, or the last change's once there is a snapshot (or a starting revision) to build
   * on; during a snapshot there is none yet.
   */
  static OptionalLong advance(OptionalLong revision, WatchEvent event) {
    if (event instanceof WatchEvent.SnapshotComplete complete) {
      return OptionalLong.of(complete.revision());
    }
    if (revision.isEmpty()) {
      return revision;
    }
    if (event instanceof WatchEvent.Changes changes) {
      return OptionalLong.of(changes.changes().get(changes.changes().size() - 1).revision());
    }
    if (event instanceof WatchEvent.Progress progress) {
      return OptionalLong.of(Math.max(revision.getAsLong(), progress.revision()));
    }
    return revision;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}

package org.connectionregistry.adapter.grpc.client;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.application.port.in.HoldSessionUseCase;
import org.connectionregistry.application.port.in.RemoteCallFailedException;
import org.connectionregistry.application.port.in.SessionEnd;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.InvalidInputException;
import org.connectionregistry.proto.ClientServiceGrpc;
import org.connectionregistry.proto.ConnectEvent;
import org.connectionregistry.proto.ConnectRequest;

/**
 * Holds live sessions on a remote server through {@code Connect}, and holds on: when the call
 * breaks or cannot be made (the server restarted, the network dropped), the holder hears
 * {@code lost} once per outage and the
 * session is opened again at once, then at growing intervals up to {@link #MAX_RETRY_DELAY},
 * until it is back. A server that rejects the client ID, or does not know {@code Connect}, ends
 * it for good ({@code failed}).
 */
public final class GrpcSessionClient implements HoldSessionUseCase {

  static final Duration FIRST_RETRY_DELAY = Duration.ofMillis(100);
  static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(1);

  private final ClientServiceGrpc.ClientServiceStub stub;
  private final String target;
  private final ScheduledExecutorService retries;

  /**
   * @param channel where the server is; the caller owns it
   * @param target how to name the server in messages
   * @param retries where attempts after a break are scheduled; the caller owns it
   */
  public GrpcSessionClient(Channel channel, String target, ScheduledExecutorService retries) {
    this.stub = ClientServiceGrpc.newStub(Objects.requireNonNull(channel, "channel"));
    this.target = Objects.requireNonNull(target, "target");
    this.retries = Objects.requireNonNull(retries, "retries");
  }

  @Override
  public Session hold(ClientId clientId, SessionListener listener) {
    RemoteSession session = new RemoteSession(clientId, listener);
    session.attempt();
    return session;
  }

  private final class RemoteSession implements Session {
    private final ClientId clientId;
    private final SessionListener listener;
    private ClientCallStreamObserver<ConnectRequest> call; // the current attempt
    private boolean leaving;
    private boolean over;
    private boolean connected;
    private boolean outageReported;
    private Duration nextDelay = Duration.ZERO;

    RemoteSession(ClientId clientId, SessionListener listener) {
      this.clientId = clientId;
      this.listener = listener;
    }

    synchronized void attempt() {
      if (over || leaving) {
        return;
      }
      stub.connect(new Attempt())
          .onNext(ConnectRequest.newBuilder().setClientId(clientId.value()).build());
    }

    @Override
    public void end() {
      ClientCallStreamObserver<ConnectRequest> current;
      synchronized (this) {
        if (over || leaving) {
          return;
        }
        leaving = true;
        current = connected ? call : null;
        if (current == null) {
          over = true;
          if (call != null) {
            call.cancel("the session ended", null);
          }
        }
      }
      if (current != null) {
        current.onCompleted(); // the server answers with ENDED
      } else {
        listener.ended(SessionEnd.ENDED);
      }
    }

    @Override
    public void drop() {
      synchronized (this) {
        if (over) {
          return;
        }
        over = true;
        if (call != null) {
          call.cancel("the session was dropped", null);
        }
      }
    }

    /** One Connect call. */
    private final class Attempt implements ClientResponseObserver<ConnectRequest, ConnectEvent> {
      private ClientCallStreamObserver<ConnectRequest> requests;

      @Override
      public void beforeStart(ClientCallStreamObserver<ConnectRequest> requests) {
        this.requests = requests;
        synchronized (RemoteSession.this) {
          call = requests;
        }
      }

      @Override
      public void onNext(ConnectEvent event) {
        if (event.getKind() == ConnectEvent.Kind.CONNECTED) {
          synchronized (RemoteSession.this) {
            if (over || call != requests) {
              return;
            }
            connected = true;
            outageReported = false;
            nextDelay = Duration.ZERO;
          }
          listener.connected();
        } else if (event.getKind() == ConnectEvent.Kind.ENDED) {
          synchronized (RemoteSession.this) {
            if (over) {
              return;
            }
            over = true;
          }
          SessionEnd reason;
          try {
            reason = SessionEnd.fromLabel(event.getReason());
          } catch (IllegalArgumentException e) {
            reason = SessionEnd.ENDED;
          }
          listener.ended(reason);
        }
      }

      @Override
      public void onError(Throwable failure) {
        Status status = Status.fromThrowable(failure);
        boolean permanent =
            status.getCode() == Status.Code.INVALID_ARGUMENT
                || status.getCode() == Status.Code.UNIMPLEMENTED
                || status.getCode() == Status.Code.PERMISSION_DENIED
                || status.getCode() == Status.Code.UNAUTHENTICATED;
        boolean tellLost;
        Duration delay;
        synchronized (RemoteSession.this) {
          if (over || call != requests) {
            return;
          }
          if (leaving) {
            over = true; // the server went away while we were saying goodbye: that will do
          } else if (permanent) {
            over = true;
          }
          // Each outage is told once: the first failure after being connected, or before ever being.
          tellLost = !over && !outageReported;
          outageReported = true;
          connected = false;
          delay = nextDelay;
          nextDelay =
              nextDelay.isZero()
                  ? FIRST_RETRY_DELAY
                  : min(nextDelay.multipliedBy(2), MAX_RETRY_DELAY);
        }
        if (permanent) {
          String description = status.getDescription() == null ? status.getCode().toString() : status.getDescription();
          listener.failed(
              status.getCode() == Status.Code.INVALID_ARGUMENT
                  ? new InvalidInputException(description)
                  : new RemoteCallFailedException("Server " + target + " refused the session: " + description));
          return;
        }
        synchronized (RemoteSession.this) {
          if (over) {
            listener.ended(SessionEnd.ENDED);
            return;
          }
        }
        if (tellLost) {
          listener.lost(describe(status));
        }
        try {
          retries.schedule(RemoteSession.this::attempt, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
          synchronized (RemoteSession.this) {
            over = true; // the owner shut the client down: nothing more to hold on for
          }
        }
      }

      @Override
      public void onCompleted() {
        synchronized (RemoteSession.this) {
          if (over || call != requests) {
            return;
          }
        }
        // Completed without saying why: treat it as a break and hold on.
        onError(Status.UNAVAILABLE.withDescription("the server closed the session").asRuntimeException());
      }
    }

    private String describe(Status status) {
      String description = status.getDescription();
      return "server " + target + " "
          + (status.getCode() == Status.Code.UNAVAILABLE ? "unavailable" : status.getCode().toString())
          + (description == null ? "" : ": " + description);
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}

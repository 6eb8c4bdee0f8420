package org.connectionregistry.adapter.grpc.server;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.function.Function;
import org.connectionregistry.application.port.in.HoldSessionUseCase;
import org.connectionregistry.application.port.in.HoldSessionUseCase.Session;
import org.connectionregistry.application.port.in.SessionEnd;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.StatusChange;
import org.connectionregistry.proto.ConnectEvent;
import org.connectionregistry.proto.ConnectRequest;

/**
 * One {@code Connect} call: a live session for as long as the call lives. The first request
 * names the client and opens the session; the caller half-closing ends it on purpose; the call
 * breaking (cancelled, connection gone, keepalive unanswered) drops it, and the registry lets the
 * grace period decide. Events to the caller are serialised under this object's lock, since they
 * come from the store's threads and from other calls (a Goodbye) as well as from gRPC's.
 */
final class SessionCall implements StreamObserver<ConnectRequest>, HoldSessionUseCase.SessionListener {

  private final HoldSessionUseCase holdSession;
  private final ServerCallStreamObserver<ConnectEvent> events;
  private final Function<Throwable, RuntimeException> toStatus;
  private ClientId clientId;
  private Session session;
  private boolean closed;

  SessionCall(
      HoldSessionUseCase holdSession,
      ServerCallStreamObserver<ConnectEvent> events,
      Function<Throwable, RuntimeException> toStatus) {
    this.holdSession = holdSession;
    this.events = events;
    this.toStatus = toStatus;
    events.setOnCancelHandler(this::cancelled);
  }

  @Override
  public void onNext(ConnectRequest request) {
    Session opened;
    synchronized (this) {
      if (session != null || closed) {
        return; // only the first request counts
      }
      try {
        clientId = ClientId.of(request.getClientId());
      } catch (RuntimeException e) {
        closed = true;
        events.onError(toStatus.apply(e));
        return;
      }
    }
    opened = holdSession.hold(clientId, this);
    boolean late;
    synchronized (this) {
      session = opened;
      late = closed;
    }
    if (late) {
      opened.drop(); // the call broke while the session was opening
    }
  }

  /** The caller half-closed: it leaves on purpose. */
  @Override
  public void onCompleted() {
    Session current;
    synchronized (this) {
      current = session;
      if (current == null && !closed) {
        closed = true;
        events.onError(
            Status.INVALID_ARGUMENT
                .withDescription("Connect needs a ConnectRequest naming the client")
                .asRuntimeException());
        return;
      }
    }
    if (current != null) {
      current.end();
    }
  }

  @Override
  public void onError(Throwable failure) {
    cancelled();
  }

  private void cancelled() {
    Session current;
    synchronized (this) {
      closed = true;
      current = session;
    }
    if (current != null) {
      current.drop();
    }
  }

  @Override
  public synchronized void connected() {
    if (closed) {
      return;
    }
    events.onNext(
        ConnectEvent.newBuilder()
            .setKind(ConnectEvent.Kind.CONNECTED)
            .setInfo(new StatusChange(clientId, ConnectionStatus.CONNECTED).description())
            .build());
  }

  @Override
  public synchronized void ended(SessionEnd reason) {
    if (closed) {
      return;
    }
    closed = true;
    events.onNext(
        ConnectEvent.newBuilder()
            .setKind(ConnectEvent.Kind.ENDED)
            .setReason(reason.label())
            .setInfo(new StatusChange(clientId, ConnectionStatus.DISCONNECTED).description())
            .build());
    events.onCompleted();
  }

  @Override
  public synchronized void failed(Throwable failure) {
    if (closed) {
      return;
    }
    closed = true;
    events.onError(toStatus.apply(failure));
  }
}

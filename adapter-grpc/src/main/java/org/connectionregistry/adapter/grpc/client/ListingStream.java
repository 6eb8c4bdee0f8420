package org.connectionregistry.adapter.grpc.client;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.adapter.grpc.StatusMapping;
import org.connectionregistry.application.port.in.RemoteCallFailedException;
import org.connectionregistry.proto.ClientServiceGrpc.ClientServiceStub;
import org.connectionregistry.proto.ListClientsRequest;
import org.connectionregistry.proto.ListClientsResponse;

/**
 * One ListClients call, handed from gRPC's threads to the caller's, one {@link ListingEvent} at a
 * time. gRPC delivers a page only when the caller asks for the next ({@link #requestNext}; one at
 * first), so at most one page and the call's end wait here, and a slow caller holds the server
 * back through flow control. Nothing on gRPC's side blocks.
 */
final class ListingStream
    implements ClientResponseObserver<ListClientsRequest, ListClientsResponse> {

  private final BlockingQueue<ListingEvent> events = new LinkedBlockingQueue<>();
  private final String target;
  private final Duration deadline;
  private final StatusMapping errors;
  /** Set before the call starts, on the caller's thread, and used only there. */
  private ClientCallStreamObserver<ListClientsRequest> call;

  private ListingStream(String target, Duration deadline, StatusMapping errors) {
    this.target = target;
    this.deadline = deadline;
    this.errors = errors;
  }

  /**
   * Starts the call; its first page is on its way once this returns.
   *
   * @param deadline how long each wait for the next event may take
   */
  static ListingStream start(
      ClientServiceStub stub,
      ListClientsRequest request,
      String target,
      Duration deadline,
      StatusMapping errors) {
    ListingStream stream = new ListingStream(target, deadline, errors);
    stub.listClients(request, stream);
    return stream;
  }

  /**
   * The next event, waiting up to the deadline for it; cancels the call if none comes.
   *
   * @throws RemoteCallFailedException if none came in time, or the caller was interrupted
   */
  ListingEvent next() {
    ListingEvent event;
    try {
      event = events.poll(deadline.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      cancel("The caller was interrupted", e);
      Thread.currentThread().interrupt();
      throw new RemoteCallFailedException(
          "Listing the clients of server " + target + " was interrupted", e);
    }
    if (event == null) {
      cancel("No page within the deadline", null);
      throw errors.noAnswerInTime(null);
    }
    return event;
  }

  /** Lets the server send one more page. */
  void requestNext() {
    call.request(1);
  }

  /** Tells the server to send no more; the call ends as failed. */
  void cancel(String why, Throwable cause) {
    call.cancel(why, cause);
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<ListClientsRequest> requestStream) {
    call = requestStream;
    requestStream.disableAutoRequestWithInitial(1);
  }

  @Override
  public void onNext(ListClientsResponse page) {
    events.add(new ListingEvent.Page(page));
  }

  @Override
  public void onError(Throwable t) {
    // gRPC hands a client StatusRuntimeExceptions; anything else is read as the status it carries.
    StatusRuntimeException failure =
        t instanceof StatusRuntimeException e ? e : Status.fromThrowable(t).asRuntimeException();
    events.add(new ListingEvent.Failed(failure));
  }

  @Override
  public void onCompleted() {
    events.add(new ListingEvent.Completed());
  }
}

package org.connectionregistry.bootstrap.e2e;

import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import org.connectionregistry.proto.ClientServiceGrpc;
import org.connectionregistry.proto.MessageRequest;
import org.connectionregistry.proto.MessageResponse;

/** Registers many clients over gRPC, with many calls in flight at once, and waits for all. */
final class Registrations {

  private static final int IN_FLIGHT = 256;

  private Registrations() {}

  /** Sends {@code message} for the IDs {@code ids.apply(0 .. count-1)}; fails if any call does. */
  static void send(ManagedChannel channel, int count, IntFunction<String> ids, String message)
      throws InterruptedException {
    ClientServiceGrpc.ClientServiceStub stub = ClientServiceGrpc.newStub(channel);
    Semaphore slots = new Semaphore(IN_FLIGHT);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    for (int i = 0; i < count && failure.get() == null; i++) {
      slots.acquire();
      stub.withDeadlineAfter(60, TimeUnit.SECONDS)
          .sendMessage(
              MessageRequest.newBuilder().setClientId(ids.apply(i)).setMessage(message).build(),
              new StreamObserver<MessageResponse>() {
                @Override
                public void onNext(MessageResponse response) {}

                @Override
                public void onError(Throwable t) {
                  failure.compareAndSet(null, t);
                  slots.release();
                }

                @Override
                public void onCompleted() {
                  slots.release();
                }
              });
    }
    slots.acquire(IN_FLIGHT);
    if (failure.get() != null) {
      throw new AssertionError("a registration failed: " + failure.get(), failure.get());
    }
  }
}

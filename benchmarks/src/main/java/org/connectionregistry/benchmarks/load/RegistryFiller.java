package org.connectionregistry.benchmarks.load;

import io.grpc.Channel;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import org.connectionregistry.proto.ClientServiceGrpc;
import org.connectionregistry.proto.ClientServiceGrpc.ClientServiceStub;
import org.connectionregistry.proto.MessageRequest;
import org.connectionregistry.proto.MessageResponse;

/**
 * Fills a server's registry the way users do: one SendMessage per client, many calls in flight.
 * Clients are {@code client-0000000}, {@code client-0000001}, ...; every third says Goodbye, the
 * rest Hello, so both statuses show.
 */
final class RegistryFiller {

  private RegistryFiller() {}

  /** Registers {@code clients} clients with up to {@code inFlight} calls at a time. */
  static void fill(Channel channel, int clients, int inFlight) throws InterruptedException {
    ClientServiceStub stub = ClientServiceGrpc.newStub(channel);
    Semaphore slots = new Semaphore(inFlight);
    CountDownLatch done = new CountDownLatch(clients);
    AtomicReference<Throwable> firstError = new AtomicReference<>();
    for (int i = 0; i < clients; i++) {
      slots.acquire();
      MessageRequest request =
          MessageRequest.newBuilder()
              .setClientId(clientId(i))
              .setMessage(i % 3 == 0 ? "Goodbye" : "Hello")
              .build();
      stub.sendMessage(
          request,
          new StreamObserver<>() {
            @Override
            public void onNext(MessageResponse response) {}

            @Override
            public void onError(Throwable t) {
              firstError.compareAndSet(null, t);
              slots.release();
              done.countDown();
            }

            @Override
            public void onCompleted() {
              slots.release();
              done.countDown();
            }
          });
    }
    done.await();
    if (firstError.get() != null) {
      throw new IllegalStateException(
          "Registering failed: " + Cli.describe(firstError.get()), firstError.get());
    }
  }

  static String clientId(int i) {
    return String.format("client-%07d", i);
  }
}

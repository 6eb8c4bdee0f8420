package org.connectionregistry.bootstrap.e2e;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.proto.ClientServiceGrpc;
import org.connectionregistry.proto.ClientStatusRequest;

/**
 * Reads one client's status from one server over gRPC, as often as a test asks: what the
 * live-presence tests watch while processes die. An error reads as its status code, so a test
 * that polls sees a failing server instead of stopping at it.
 */
final class StatusReader implements AutoCloseable {

  private final ManagedChannel channel;
  private final ClientServiceGrpc.ClientServiceBlockingStub stub;

  StatusReader(String target) {
    channel = ManagedChannelBuilder.forTarget(target).usePlaintext().build();
    stub = ClientServiceGrpc.newBlockingStub(channel);
  }

  /** {@code connected}, {@code disconnected}, {@code missing}, or the code of the error. */
  String of(String id) {
    try {
      return stub.withDeadlineAfter(5, TimeUnit.SECONDS)
          .getClientStatus(ClientStatusRequest.newBuilder().setClientId(id).build())
          .getStatusesOrDefault(id, "missing");
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode().toString();
    }
  }

  /** Reads until the status is {@code wanted}, and returns how long that took; fails after {@code within}. */
  Duration await(String id, String wanted, Duration within) throws InterruptedException {
    long start = System.nanoTime();
    while (System.nanoTime() - start < within.toNanos()) {
      if (wanted.equals(of(id))) {
        return Duration.ofNanos(System.nanoTime() - start);
      }
      Thread.sleep(10);
    }
    throw new AssertionError(id + " was not " + wanted + " within " + within + "; it was " + of(id));
  }

  /** Every status read for {@code id} during {@code period}. */
  List<String> during(String id, Duration period) throws InterruptedException {
    List<String> seen = new CopyOnWriteArrayList<>();
    long end = System.nanoTime() + period.toNanos();
    while (System.nanoTime() < end) {
      seen.add(of(id));
      Thread.sleep(20);
    }
    return seen;
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}

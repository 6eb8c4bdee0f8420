package org.connectionregistry.bootstrap.e2e;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/** Waits for a server's standard gRPC health check to report a status, as a load balancer would. */
final class ServingHealth {

  private ServingHealth() {}

  /**
   * Asks about {@code client_service.ClientService} every 100 ms until the answer is {@code
   * wanted}; fails, naming the last answer, after {@code within}.
   */
  static void await(ManagedChannel channel, ServingStatus wanted, Duration within)
      throws InterruptedException {
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
    Instant deadline = Instant.now().plus(within);
    ServingStatus last = null;
    while (Instant.now().isBefore(deadline)) {
      try {
        last =
            health
                .withDeadlineAfter(2, TimeUnit.SECONDS)
                .check(HealthCheckRequest.newBuilder().setService("client_service.ClientService").build())
                .getStatus();
      } catch (StatusRuntimeException slow) {
        // A loaded machine may take longer than one check's deadline to connect: ask again.
        if (slow.getStatus().getCode() != Status.Code.DEADLINE_EXCEEDED) {
          throw slow;
        }
        continue;
      }
      if (last == wanted) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("health stayed " + last + ", expected " + wanted);
  }
}

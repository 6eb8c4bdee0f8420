package org.connectionregistry.adapter.grpc.server;

import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.adapter.grpc.security.BoundedStatusDescriptions;
import org.connectionregistry.adapter.grpc.security.CallProtection;
import org.connectionregistry.proto.ClientServiceGrpc;

/**
 * The gRPC server of the registry: the {@link ClientServiceEndpoint}, the standard health service
 * ({@code grpc.health.v1.Health}) and server reflection, on whatever transport the given builder
 * makes (Netty for the launchers, in-process for tests).
 */
public final class GrpcServer {

  /** The health service name of the registry itself: {@code client_service.ClientService}. */
  public static final String SERVICE_NAME = ClientServiceGrpc.SERVICE_NAME;

  private final Server server;
  private final HealthStatusManager health = new HealthStatusManager();
  private boolean stopped;

  public GrpcServer(ServerBuilder<?> builder, ClientServiceEndpoint endpoint) {
    this(builder, endpoint, CallProtection.none());
  }

  /**
   * The server with the registry's service behind {@code protection} (authentication, rate
   * limits, authorization); health and reflection stay open, as probes and tools expect.
   */
  public GrpcServer(
      ServerBuilder<?> builder, ClientServiceEndpoint endpoint, CallProtection protection) {
    Objects.requireNonNull(builder, "builder");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(protection, "protection");
    // Every status of every service reaches its caller, however long its description: the
    // protected service bounds its own, the others through the interceptor. A server-wide
    // interceptor would do it for all, but gRPC wraps every call's handler in it anew, and each
    // call in one more forwarding call: a cost on every SendMessage.
    BoundedStatusDescriptions bounded = new BoundedStatusDescriptions();
    this.server =
        builder
            // A request that does not decode is INVALID_ARGUMENT naming its field, not UNKNOWN.
            .addService(protection.protect(endpoint))
            .addService(ServerInterceptors.intercept(health.getHealthService(), bounded))
            .addService(ServerInterceptors.intercept(ProtoReflectionServiceV1.newInstance(), bounded))
            .build();
    // Nobody can ask before start(); a store that reports itself down before then stays down.
    setServing(true);
  }

  /** Binds and starts serving. */
  public GrpcServer start() throws IOException {
    server.start();
    return this;
  }

  /**
   * The port the server listens on: the one the OS chose if it was asked for port 0; -1 for a
   * transport without ports, such as in-process.
   */
  public int port() {
    return server.getPort();
  }

  /**
   * Tells health checkers whether the registry can do its work, e.g. NOT_SERVING while its store
   * is down. Serving unless told otherwise; has no effect once {@link #stop} has begun.
   */
  public void setServing(boolean serving) {
    ServingStatus status = serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, status);
    health.setStatus(SERVICE_NAME, status);
  }

  /**
   * Stops gracefully: health turns NOT_SERVING so load balancers look elsewhere, new calls are
   * refused, calls in flight get up to {@code grace} to finish, and whatever is left is then
   * cancelled. Safe to call more than once and from a shutdown hook; a second caller waits for
   * the first to finish.
   */
  public synchronized void stop(Duration grace) {
    if (stopped) {
      return;
    }
    stopped = true;
    health.enterTerminalState();
    server.shutdown();
    try {
      if (!server.awaitTermination(Math.max(0, grace.toNanos()), TimeUnit.NANOSECONDS)) {
        server.shutdownNow();
        // Cancelled calls end at once; this only waits for their handlers to notice.
        server.awaitTermination(1, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /** Blocks until the server has stopped, e.g. to keep a launcher's main thread alive. */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }
}

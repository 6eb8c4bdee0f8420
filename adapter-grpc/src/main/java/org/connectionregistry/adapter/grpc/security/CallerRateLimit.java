package org.connectionregistry.adapter.grpc.security;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * At most so many calls a second per caller, with a burst allowance: a token bucket per caller
 * (Bucket4j). A caller is the authenticated identity when there is one, else the remote IP
 * address. A call over the limit is {@code RESOURCE_EXHAUSTED}, saying when to try again.
 *
 * <p>Buckets of callers who stopped calling are forgotten once there are many, so a crowd of
 * addresses cannot grow this without bound.
 */
public final class CallerRateLimit implements ServerInterceptor {

  /** Buckets kept before the idle ones (full again) are dropped. */
  static final int MAX_TRACKED_CALLERS = 100_000;

  private static final RateLimitedLog log =
      new RateLimitedLog(LoggerFactory.getLogger(CallerRateLimit.class), 5, 1);

  private final int perSecond;
  private final int burst;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  public CallerRateLimit(int perSecond, int burst) {
    if (perSecond < 1) {
      throw new IllegalArgumentException("perSecond must be positive, got " + perSecond);
    }
    this.perSecond = perSecond;
    this.burst = Math.max(burst, perSecond);
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String caller = callerOf(call);
    ConsumptionProbe probe =
        buckets.computeIfAbsent(caller, key -> newBucket()).tryConsumeAndReturnRemaining(1);
    if (probe.isConsumed()) {
      return next.startCall(call, headers);
    }
    if (buckets.size() > MAX_TRACKED_CALLERS) {
      forgetIdleCallers();
    }
    long waitMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(probe.getNanosToWaitForRefill()));
    String description =
        "Too many calls from " + caller + ": at most " + perSecond
            + " a second are allowed; try again in " + waitMillis + " ms";
    log.info("Throttled {}", description);
    call.close(Status.RESOURCE_EXHAUSTED.withDescription(description), new Metadata());
    return new ServerCall.Listener<>() {};
  }

  private Bucket newBucket() {
    if (buckets.size() >= MAX_TRACKED_CALLERS) {
      forgetIdleCallers();
    }
    return Bucket.builder()
        .addLimit(limit -> limit.capacity(burst).refillGreedy(perSecond, Duration.ofSeconds(1)))
        .build();
  }

  private void forgetIdleCallers() {
    buckets.values().removeIf(bucket -> bucket.getAvailableTokens() >= burst);
  }

  private static String callerOf(ServerCall<?, ?> call) {
    Caller caller = Caller.CURRENT.get();
    if (caller != null) {
      return caller.name();
    }
    SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    if (remote instanceof InetSocketAddress address && address.getAddress() != null) {
      return address.getAddress().getHostAddress();
    }
    return String.valueOf(remote);
  }
}

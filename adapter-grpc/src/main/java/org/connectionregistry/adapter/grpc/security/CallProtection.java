package org.connectionregistry.adapter.grpc.security;

import io.grpc.BindableService;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import java.util.ArrayList;
import java.util.List;

/**
 * Puts the registry's service behind its guards, in the order they must run: who is calling
 * ({@link Authentication}), how often ({@link CallerRateLimit}), whether the request decodes
 * ({@link StrictRequestDecoding}), and whether the caller may do what the request asks
 * ({@link Authorization}). Guards that are not configured are left out; decoding always runs.
 *
 * <p>Every status the protected service answers with is bounded ({@link
 * BoundedStatusDescriptions}): decoding bounds what it and the guards inside it close with, and
 * when guards run before it, the interceptor bounds theirs too. Without such guards (the
 * default) no interceptor wraps a call at all.
 */
public final class CallProtection {

  private final Authentication authentication;
  private final CallerRateLimit rateLimit;
  private final Authorization authorization;

  /**
   * @param authentication null when callers need not authenticate
   * @param rateLimit null for no per-caller limit
   * @param authorization null when anyone may do anything, as in the original system
   */
  public CallProtection(
      Authentication authentication, CallerRateLimit rateLimit, Authorization authorization) {
    this.authentication = authentication;
    this.rateLimit = rateLimit;
    this.authorization = authorization;
  }

  /** Only the decoding of requests: the server as it was, with clean statuses for bad input. */
  public static CallProtection none() {
    return new CallProtection(null, null, null);
  }

  public ServerServiceDefinition protect(BindableService service) {
    ServerServiceDefinition typed = service.bindService();
    if (authorization != null) {
      typed = ServerInterceptors.intercept(typed, authorization);
    }
    ServerServiceDefinition decoded = StrictRequestDecoding.of(typed);
    // The last interceptor given runs first.
    List<ServerInterceptor> outer = new ArrayList<>();
    if (rateLimit != null) {
      outer.add(rateLimit);
    }
    if (authentication != null) {
      outer.add(authentication);
    }
    if (outer.isEmpty()) {
      return decoded;
    }
    outer.add(new BoundedStatusDescriptions()); // outermost: sees what every guard closes with
    return ServerInterceptors.intercept(decoded, outer);
  }
}

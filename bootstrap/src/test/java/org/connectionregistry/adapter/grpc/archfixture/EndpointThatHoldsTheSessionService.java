package org.connectionregistry.adapter.grpc.archfixture;

import org.connectionregistry.application.service.SessionService;

/** Breaks a rule on purpose: an adapter that holds sessions through the service, not its port. */
public final class EndpointThatHoldsTheSessionService {
  SessionService sessions;
}

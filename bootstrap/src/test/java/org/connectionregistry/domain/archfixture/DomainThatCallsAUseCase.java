package org.connectionregistry.domain.archfixture;

import org.connectionregistry.application.port.in.SendMessageUseCase;

/** Breaks the onion on purpose: the domain depending on the ring around it. */
public final class DomainThatCallsAUseCase {
  SendMessageUseCase useCase;
}

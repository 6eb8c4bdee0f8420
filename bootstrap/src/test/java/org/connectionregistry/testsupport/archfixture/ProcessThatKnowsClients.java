package org.connectionregistry.testsupport.archfixture;

import org.connectionregistry.domain.ClientId;

/** Breaks a rule on purpose: the test support knowing the registry's domain. */
public final class ProcessThatKnowsClients {
  ClientId client;
}

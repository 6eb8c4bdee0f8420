package org.connectionregistry.commandline.archfixture;

import org.connectionregistry.domain.ClientId;

/** Breaks a rule on purpose: the command-line syntax knowing what a client is. */
public final class DurationPerClient {
  ClientId client;
}

package org.connectionregistry.adapter.grpc.archfixture;

import org.connectionregistry.bootstrap.client.ClientSettings;

/** Breaks a rule on purpose: an adapter that depends on bootstrap, the wiring around it. */
public final class EndpointThatReadsClientSettings {
  ClientSettings settings;
}

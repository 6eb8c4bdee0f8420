package org.connectionregistry.benchmarks.archfixture;

import org.connectionregistry.adapter.store.file.FileConnectionRegistry;
import org.connectionregistry.bootstrap.client.ClientSettings;

/**
 * Breaks a rule on purpose: a benchmark that builds the server from its parts (a store adapter,
 * bootstrap's wiring) instead of running the packaged server as users do.
 */
public final class BenchmarkThatWiresItsOwnServer {
  FileConnectionRegistry store;
  ClientSettings settings;
}

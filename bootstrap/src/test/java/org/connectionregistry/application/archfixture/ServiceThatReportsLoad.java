package org.connectionregistry.application.archfixture;

import org.connectionregistry.benchmarks.load.LoadSettings;

/** Breaks a rule on purpose: the system depending on the benchmarks that measure it. */
public final class ServiceThatReportsLoad {
  LoadSettings settings;
}

package org.connectionregistry.bootstrap.archfixture;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** Breaks a rule on purpose: wiring that measures with Micrometer instead of the metrics adapter. */
public final class WiringThatCountsCalls {
  Counter calls() {
    return Counter.builder("calls").register(new SimpleMeterRegistry());
  }
}

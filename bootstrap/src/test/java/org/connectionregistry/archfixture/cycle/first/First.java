package org.connectionregistry.archfixture.cycle.first;

import org.connectionregistry.archfixture.cycle.second.Second;

/** With {@link Second}, breaks a rule on purpose: two packages that depend on each other. */
public final class First {
  Second second;
}

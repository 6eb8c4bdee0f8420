package org.connectionregistry.archfixture.cycle.second;

import org.connectionregistry.archfixture.cycle.first.First;

/** With {@link First}, breaks a rule on purpose: two packages that depend on each other. */
public final class Second {
  First first;
}

package org.connectionregistry.adapter.console.archfixture;

import dagger.Lazy;

/** Breaks a rule on purpose: an adapter that uses Dagger, which only bootstrap may. */
public final class ConsoleWiredByDagger {
  Lazy<String> menu;
}

package org.connectionregistry.bootstrap.archfixture;

import org.connectionregistry.testsupport.FreePort;

/** Breaks a rule on purpose: production code that uses the test support. */
public final class LauncherThatPicksAFreePort {
  int port() {
    return FreePort.onLoopback();
  }
}

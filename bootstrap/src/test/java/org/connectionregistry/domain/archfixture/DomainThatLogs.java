package org.connectionregistry.domain.archfixture;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Breaks a rule on purpose: the domain using a library (a logger) instead of only the JDK. */
public final class DomainThatLogs {
  static final Logger LOG = LoggerFactory.getLogger(DomainThatLogs.class);
}

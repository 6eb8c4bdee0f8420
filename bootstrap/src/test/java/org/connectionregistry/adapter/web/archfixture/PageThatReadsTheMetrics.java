package org.connectionregistry.adapter.web.archfixture;

import org.connectionregistry.adapter.metrics.ServerMetrics;

/** Breaks a rule on purpose: the web adapter reaching into the metrics adapter's classes. */
public final class PageThatReadsTheMetrics {
  ServerMetrics metrics;
}

package org.connectionregistry.bootstrap.client;

import java.time.Duration;

/** Which server the console client talks to, and how long it waits for each answer. */
public record ClientSettings(String target, Duration deadline) {}

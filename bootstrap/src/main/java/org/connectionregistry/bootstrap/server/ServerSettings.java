package org.connectionregistry.bootstrap.server;

/** Where the server listens. */
public record ServerSettings(String host, int port) {}

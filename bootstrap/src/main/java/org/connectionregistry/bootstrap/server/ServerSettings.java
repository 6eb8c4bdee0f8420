package org.connectionregistry.bootstrap.server;

/** Where the server listens, and where it keeps the registry. */
public record ServerSettings(String host, int port, StoreSpec store) {}

package org.connectionregistry.adapter.grpc.security;

/** Who may read statuses: one client's, or every client's. */
public enum ReadAccess {
  /** Anyone, authenticated or not: what the original system did, and the default. */
  ANYONE,
  /** Any caller who authenticated. */
  AUTHENTICATED,
  /** A caller reads the clients it owns; only admins list every client. */
  OWNER,
  /** Admins only. */
  ADMIN
}

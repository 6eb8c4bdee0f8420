package org.connectionregistry.application.port.out;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.connectionregistry.domain.ClientId;

/**
 * Which client IDs are connected because a session holds them, kept where a restarted server
 * finds them: a server that dies cannot expire what its sessions held, so its successor does. A
 * store that forgets everything on restart needs no ledger ({@link #NONE}).
 *
 * <p>A ledger that several live servers share (Redis) keeps one account per server and also
 * answers {@link #heldElsewhere} (an ID stays connected while a session on any live server holds
 * it) and {@link #claimOrphans} (what the sessions of servers that died held, each dead server's
 * account handed to exactly one survivor). A ledger of one server answers "nothing" to both.
 */
public interface SessionLedger extends AutoCloseable {

  /** Records that sessions hold {@code clientId}; completes once that is as safe as the store makes it. */
  CompletionStage<Void> hold(ClientId clientId);

  /** Records that no session holds {@code clientId} any more. */
  CompletionStage<Void> release(ClientId clientId);

  /** The IDs held when the previous server stopped, read once at start-up. */
  Set<ClientId> held();

  /**
   * Of {@code ids}, those that sessions on another live server hold now; this server's own
   * sessions, and servers that died, do not count.
   */
  default CompletionStage<Set<ClientId>> heldElsewhere(Collection<ClientId> ids) {
    return CompletableFuture.completedFuture(Set.of());
  }

  /**
   * Claims the accounts of servers that have died, each for this server alone: no other server
   * is handed the same one. Empty when there are none, or while this server cannot yet tell a
   * dead server from one that has not been able to reach the store either.
   */
  default CompletionStage<List<Orphans>> claimOrphans() {
    return CompletableFuture.completedFuture(List.of());
  }

  /**
   * Has {@code action} called whenever this server's account may have been taken for a dead
   * server's (its proof of life lapsed: a long pause, or the store out of reach for longer than
   * its timeout), so that others may have expired the IDs its sessions hold: the server then
   * notes and records them again. A ledger that no other server shares never calls it.
   */
  default void onLapse(Runnable action) {}

  /** What a dead server's sessions held, claimed by this server to expire. */
  interface Orphans {
    /** The dead server, as the ledger names it. */
    String server();

    /** The client IDs its sessions held when it died. */
    Set<ClientId> ids();

    /**
     * Drops the dead server's account once every ID has been dealt with. A claim that is never
     * closed (this server died too) lapses, and another survivor claims the account again.
     */
    CompletionStage<Void> close();
  }

  @Override
  void close();

  /** The ledger of a store that keeps nothing across restarts. */
  SessionLedger NONE =
      new SessionLedger() {
        @Override
        public CompletionStage<Void> hold(ClientId clientId) {
          return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> release(ClientId clientId) {
          return CompletableFuture.completedFuture(null);
        }

        @Override
        public Set<ClientId> held() {
          return Set.of();
        }

        @Override
        public void close() {}

        @Override
        public String toString() {
          return "no session ledger";
        }
      };
}

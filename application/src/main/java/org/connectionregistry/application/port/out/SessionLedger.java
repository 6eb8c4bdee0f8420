package org.connectionregistry.application.port.out;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.connectionregistry.domain.ClientId;

/**
 * Which client IDs are connected because a session holds them, kept where a restarted server
 * finds them: a server that dies cannot expire what its sessions held, so its successor does. A
 * store that forgets everything on restart needs no ledger ({@link #NONE}).
 */
public interface SessionLedger extends AutoCloseable {

  /** Records that sessions hold {@code clientId}; completes once that is as safe as the store makes it. */
  CompletionStage<Void> hold(ClientId clientId);

  /** Records that no session holds {@code clientId} any more. */
  CompletionStage<Void> release(ClientId clientId);

  /** The IDs held when the previous server stopped, read once at start-up. */
  Set<ClientId> held();

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

package org.connectionregistry.adapter.web;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;
import org.connectionregistry.application.port.in.CountClientsUseCase;
import org.connectionregistry.application.port.in.RegistryWatch;
import org.connectionregistry.application.port.in.WatchClientsUseCase;
import org.connectionregistry.application.port.in.WatchEvent;
import org.connectionregistry.domain.ChangeCursor;
import org.connectionregistry.domain.ClientChange;
import org.connectionregistry.domain.ClientCounts;
import org.connectionregistry.domain.ConnectionRegistry;

/**
 * Test-only: the watch and count ports read straight from a registry's change feed, so that the
 * adapter is tested against the ports alone. Only watches after a revision (the page's kind).
 */
final class FeedWatches implements WatchClientsUseCase, CountClientsUseCase {

  private final ConnectionRegistry registry;

  FeedWatches(ConnectionRegistry registry) {
    this.registry = registry;
  }

  @Override
  public CompletionStage<ClientCounts> countClientsAsync() {
    return registry.counts();
  }

  @Override
  public RegistryWatch watch(OptionalLong afterRevision, Runnable onReady) {
    if (afterRevision.isEmpty()) {
      throw new UnsupportedOperationException("the live page always watches after a revision");
    }
    ChangeCursor cursor = registry.changes().openAfter(afterRevision.getAsLong(), onReady);
    return new RegistryWatch() {
      @Override
      public Optional<WatchEvent> next(int max) {
        List<ClientChange> changes = cursor.poll(max);
        return changes.isEmpty() ? Optional.empty() : Optional.of(new WatchEvent.Changes(changes));
      }

      // Nothing to check: this watch is never cut off. (No @Override: the port gains this method
      // on the watch branch.)
      public void checkStanding() {}

      @Override
      public long revision() {
        return cursor.position();
      }

      @Override
      public void close() {
        cursor.close();
      }
    };
  }
}

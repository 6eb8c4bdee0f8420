package org.connectionregistry.adapter.store.file;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.application.port.out.SessionLedger;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.RegistryUnavailableException;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * Which client IDs live sessions hold, in a file of its own next to the registry's
 * ({@code registry.db.sessions}), so that a server restarted after a crash expires what its
 * predecessor's sessions held. Each change is committed and synced before its stage completes.
 * Changes are rare (an ID's first session, its last one gone), so one thread writes them one
 * after another, in the order they were asked for, which keeps an ID's hold and release in order.
 */
public final class FileSessionLedger implements SessionLedger {

  private final Path file;
  private final MVStore store;
  private final MVMap<String, Boolean> held;
  private final Set<ClientId> inherited;
  private final ExecutorService writer;

  private FileSessionLedger(Path file, MVStore store) {
    this.file = file;
    this.store = store;
    this.held = store.openMap("held");
    Set<ClientId> ids = new LinkedHashSet<>();
    for (String id : held.keySet()) {
      ids.add(ClientId.of(id));
    }
    this.inherited = Set.copyOf(ids);
    this.writer =
        Executors.newSingleThreadExecutor(
            task -> {
              Thread thread = new Thread(task, "session-ledger " + file.getFileName());
              thread.setDaemon(true);
              return thread;
            });
  }

  /** Opens (or creates) the ledger that belongs to the registry file {@code registryFile}. */
  public static FileSessionLedger openBeside(Path registryFile) {
    Path file = registryFile.resolveSibling(registryFile.getFileName() + ".sessions");
    try {
      return new FileSessionLedger(
          file, new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().open());
    } catch (RuntimeException e) {
      throw new RegistryUnavailableException(
          "Session ledger " + file + " cannot be opened: " + e.getMessage(), e);
    }
  }

  @Override
  public CompletionStage<Void> hold(ClientId clientId) {
    return write(() -> held.put(clientId.value(), Boolean.TRUE));
  }

  @Override
  public CompletionStage<Void> release(ClientId clientId) {
    return write(() -> held.remove(clientId.value()));
  }

  private CompletionStage<Void> write(Runnable change) {
    try {
      return CompletableFuture.runAsync(
          () -> {
            change.run();
            store.commit();
            store.sync();
          },
          writer);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(
          new RegistryUnavailableException(this + " is closed", e));
    }
  }

  @Override
  public Set<ClientId> held() {
    return inherited;
  }

  @Override
  public void close() {
    writer.shutdown();
    try {
      writer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!store.isClosed()) {
      store.close();
    }
  }

  @Override
  public String toString() {
    return "Session ledger " + file;
  }
}

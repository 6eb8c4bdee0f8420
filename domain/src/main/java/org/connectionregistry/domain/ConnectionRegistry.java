package org.connectionregistry.domain;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Where the registry keeps each client's status: the port through which the domain reaches its
 * storage. {@link InMemoryConnectionRegistry} is the default; storage adapters provide others.
 *
 * <p><b>Asynchronous.</b> Every call returns at once with a {@link CompletionStage} that completes
 * when the store has done the work, so no thread waits for a disk or a network: a store that
 * talks to a server pipelines many calls over one connection, and a durable store completes a
 * whole batch of calls after one sync. Stages may complete on the calling thread (the in-memory
 * store completes them before it returns) or on a thread of the store; whoever continues from
 * them should do little work there. Invalid arguments (a limit below 1) are thrown at once;
 * everything else, store failures included, completes the stage exceptionally.
 *
 * <p>Every implementation is safe to call from many threads at once, and every change is atomic:
 * a reader sees a client's old status or its new one, never anything else. A stage that completes
 * exceptionally does so with a {@link RegistryUnavailableException}, whose message starts with
 * {@link #toString()}, when the store's engine cannot be reached and after the store is closed.
 */
public interface ConnectionRegistry extends AutoCloseable {

  /**
   * Sets a client's status for a reason, adding the client if it is new. The stage completes once
   * the change is as safe as the store makes it (synced to disk, acknowledged by Redis), never
   * before, with the client's entry as it now stands.
   *
   * <p><b>Revisions.</b> A call that changes something (a new client, or a new status) is a change:
   * it gets the next revision of the whole registry, increasing across every server that shares
   * the store, takes the store's clock as its {@code since}, and goes to the {@link #changes()
   * feed} with its reason. A call that repeats the status a client already has changes nothing:
   * the entry keeps its revision and {@code since} ("connected since 10:42" stays true through
   * repeated Hellos), and watchers see nothing.
   */
  CompletionStage<ClientConnection> record(
      ClientId clientId, ConnectionStatus status, ChangeReason reason);

  /** {@link #record(ClientId, ConnectionStatus, ChangeReason)} for a Hello or a Goodbye. */
  default CompletionStage<ClientConnection> record(ClientId clientId, ConnectionStatus status) {
    return record(clientId, status, ChangeReason.ofMessage(status));
  }

  /** A client's current status, or empty if it never sent a message. */
  CompletionStage<Optional<ConnectionStatus>> statusOf(ClientId clientId);

  /**
   * Clients in client-ID order, each with the revision and time of its last change, starting
   * after {@code after} (exclusive), or from the first client when {@code after} is empty: exactly
   * {@code limit} of them, or every one that is left when fewer are. A page is never short while more clients follow (see {@link ListingCursor}):
   * a store that cannot fill it fails instead.
   *
   * @throws IllegalArgumentException at once, if {@code limit} is below 1
   */
  CompletionStage<List<ClientConnection>> list(Optional<ClientId> after, int limit);

  /** Every client in client-ID order, read a page at a time under {@link ListingCursor}'s rule. */
  default CompletionStage<List<ClientConnection>> listAll() {
    return ListingCursor.collectAll(this::list);
  }

  /**
   * How many clients are connected and disconnected, counted as changes are made (never by
   * walking the registry), with the revision they are current to.
   */
  CompletionStage<ClientCounts> counts();

  /**
   * The registry's recent changes and every later one, in revision order, for watchers. The feed
   * of a store shared by several servers carries the changes made through every one of them.
   */
  ChangeFeed changes();

  /**
   * Whether the storage behind this registry can be reached right now: false once the registry
   * is closed, and while its engine (a disk, a server) is gone. This one call may wait, briefly
   * and boundedly, for the engine to answer: it is meant for a health check's own thread.
   */
  boolean isAvailable();

  /**
   * Releases what the registry holds (files, connections), after the changes already accepted
   * are done; changes acknowledged are kept wherever the store keeps them. Closing twice is
   * harmless. Afterwards every call fails with a {@link RegistryUnavailableException} whose
   * message is {@code <this> is closed}, and {@link #isAvailable()} is false.
   */
  @Override
  void close();

  /**
   * Names the store for people, e.g. {@code Redis at 10.0.0.5:6379}; every error message of the
   * store starts with it.
   */
  @Override
  String toString();
}

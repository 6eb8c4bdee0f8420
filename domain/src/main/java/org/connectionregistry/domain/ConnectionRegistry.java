package org.connectionregistry.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where the registry keeps each client's status: the port through which the domain reaches its
 * storage. {@link InMemoryConnectionRegistry} is the default; storage adapters provide others.
 *
 * <p>Every implementation is safe to call from many threads at once, and every change is atomic:
 * a reader sees a client's old status or its new one, never anything else. Implementations throw
 * {@link RegistryUnavailableException}, with a message that starts with {@link #toString()}, when
 * their engine cannot be reached and after they are closed.
 */
public interface ConnectionRegistry extends AutoCloseable {

  /** Sets a client's status, adding the client if it is new. Done when this returns. */
  void record(ClientId clientId, ConnectionStatus status);

  /** A client's current status, or empty if it never sent a message. */
  Optional<ConnectionStatus> statusOf(ClientId clientId);

  /**
   * Clients in client-ID order, starting after {@code after} (exclusive), or from the first
   * client when {@code after} is empty: exactly {@code limit} of them, or every one that is left
   * when fewer are. A page is never short while more clients follow (see {@link ListingCursor}):
   * a store that cannot fill it fails instead.
   *
   * @throws IllegalArgumentException if {@code limit} is below 1
   */
  List<ClientConnection> list(Optional<ClientId> after, int limit);

  /** Every client in client-ID order, read a page at a time under {@link ListingCursor}'s rule. */
  default List<ClientConnection> listAll() {
    List<ClientConnection> all = new ArrayList<>();
    ListingCursor.forEachPage(this::list, all::addAll);
    return all;
  }

  /**
   * Whether the storage behind this registry can be reached right now: false once the registry
   * is closed, and while its engine (a disk, a server) is gone.
   */
  boolean isAvailable();

  /**
   * Releases what the registry holds (files, connections); changes already acknowledged are
   * kept wherever the store keeps them. Closing twice is harmless. Afterwards every call fails
   * with a {@link RegistryUnavailableException} whose message is {@code <this> is closed}, and
   * {@link #isAvailable()} is false.
   */
  @Override
  void close();

  /** Names the store for people, e.g. {@code Redis at 10.0.0.5:6379}; every error message of the
   * store starts with it. */
  @Override
  String toString();
}

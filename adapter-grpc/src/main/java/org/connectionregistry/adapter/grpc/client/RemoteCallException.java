package org.connectionregistry.adapter.grpc.client;

import org.connectionregistry.domain.DomainException;

/**
 * A remote registry answered, but with something this client cannot turn into a result or a
 * domain error: an unexpected status code, or a reply that breaks the contract (as a server of
 * another version might send). The message is one readable line naming the server.
 */
public final class RemoteCallException extends DomainException {

  public RemoteCallException(String message) {
    super(message);
  }

  public RemoteCallException(String message, Throwable cause) {
    super(message, cause);
  }
}

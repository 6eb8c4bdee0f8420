package org.connectionregistry.application.port.in;

/**
 * A use case carried out elsewhere could not be carried out: the service that runs it could not
 * be reached, gave no answer in time, failed in a way it does not report as a rule of the
 * registry, or answered outside the contract.
 *
 * <p>It is not a {@link org.connectionregistry.domain.DomainException}: no rule of the registry
 * was broken, and the same request may succeed later. It lives beside the use cases because any
 * of them may be implemented by a remote call, and whoever drives them (a console, say) must be
 * able to tell this failure from a broken rule without knowing which transport is behind the
 * port. The message is one readable line that names the service.
 */
public class RemoteCallFailedException extends RuntimeException {

  public RemoteCallFailedException(String message) {
    super(message);
  }

  public RemoteCallFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}

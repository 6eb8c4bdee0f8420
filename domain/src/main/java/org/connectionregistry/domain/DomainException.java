package org.connectionregistry.domain;

/**
 * A rule of the registry was not met. Its message is written for the person who sent the
 * request, and adapters pass it on as it is.
 */
public abstract class DomainException extends RuntimeException {

  protected DomainException(String message) {
    super(message);
  }

  protected DomainException(String message, Throwable cause) {
    super(message, cause);
  }
}

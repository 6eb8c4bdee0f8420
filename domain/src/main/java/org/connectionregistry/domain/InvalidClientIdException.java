package org.connectionregistry.domain;

/** A client ID broke the rules of {@link ClientId}; the message says which one. */
public final class InvalidClientIdException extends InvalidInputException {

  public InvalidClientIdException(String message) {
    super(message);
  }
}

package org.connectionregistry.domain;

/** A request carried a value the registry does not accept; nothing was changed. */
public class InvalidInputException extends DomainException {

  public InvalidInputException(String message) {
    super(message);
  }
}

package org.connectionregistry.domain;

/**
 * The registry could not be reached: a remote server or a storage engine is down or too slow.
 * The message names what was unavailable; trying again later may succeed.
 */
public class RegistryUnavailableException extends DomainException {

  public RegistryUnavailableException(String message) {
    super(message);
  }

  public RegistryUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}

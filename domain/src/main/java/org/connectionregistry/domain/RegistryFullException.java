package org.connectionregistry.domain;

/**
 * The registry holds as many clients as it may, so a new one cannot be added; clients already
 * registered keep working. The limit keeps a flood of new client IDs from exhausting the server.
 */
public final class RegistryFullException extends DomainException {

  private final ClientId clientId;
  private final long capacity;

  public RegistryFullException(ClientId clientId, long capacity) {
    super(
        "Cannot register client "
            + clientId.value()
            + ": the registry already holds its maximum of "
            + capacity
            + " clients");
    this.clientId = clientId;
    this.capacity = capacity;
  }

  public ClientId clientId() {
    return clientId;
  }

  public long capacity() {
    return capacity;
  }
}

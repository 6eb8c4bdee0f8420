package org.connectionregistry.domain;

/** Nobody with this client ID has sent a message yet. */
public final class ClientNotFoundException extends DomainException {

  private final ClientId clientId;

  public ClientNotFoundException(ClientId clientId) {
    this(clientId, "Client " + clientId.value() + " not found");
  }

  /** For a remote registry that has already worded the answer. */
  public ClientNotFoundException(ClientId clientId, String message) {
    super(message);
    this.clientId = clientId;
  }

  public ClientId clientId() {
    return clientId;
  }
}

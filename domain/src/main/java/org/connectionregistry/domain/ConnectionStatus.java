package org.connectionregistry.domain;

/** Whether a client is connected: the last message it sent decides. */
public enum ConnectionStatus {
  CONNECTED("connected"),
  DISCONNECTED("disconnected");

  private final String label;

  ConnectionStatus(String label) {
    this.label = label;
  }

  /** The word users read and the wire carries: {@code connected} or {@code disconnected}. */
  public String label() {
    return label;
  }

  /** The status a label names; the inverse of {@link #label()}. */
  public static ConnectionStatus fromLabel(String label) {
    for (ConnectionStatus status : values()) {
      if (status.label.equals(label)) {
        return status;
      }
    }
    throw new IllegalArgumentException("Unknown connection status: " + label);
  }
}

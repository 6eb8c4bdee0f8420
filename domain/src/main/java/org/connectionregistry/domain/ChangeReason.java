package org.connectionregistry.domain;

/** Why a client's status changed: what a watcher is told along with the change. */
public enum ChangeReason {
  /** The client sent Hello. */
  HELLO("hello"),
  /** The client sent Goodbye. */
  GOODBYE("goodbye"),
  /** A live session for the client began. */
  SESSION_STARTED("session started"),
  /** The client's last session was ended on purpose by its holder. */
  SESSION_ENDED("session ended"),
  /** The client's last session vanished (process died, link lost, peer silent) and did not return. */
  SESSION_LOST("session lost");

  private final String label;

  ChangeReason(String label) {
    this.label = label;
  }

  /** The reason as people read it and the wire carries it, e.g. {@code session lost}. */
  public String label() {
    return label;
  }

  /** The reason a message gives: Hello connects, Goodbye disconnects. */
  public static ChangeReason ofMessage(ConnectionStatus resultingStatus) {
    return resultingStatus == ConnectionStatus.CONNECTED ? HELLO : GOODBYE;
  }

  /** The reason a label names; the inverse of {@link #label()}. */
  public static ChangeReason fromLabel(String label) {
    for (ChangeReason reason : values()) {
      if (reason.label.equals(label)) {
        return reason;
      }
    }
    throw new IllegalArgumentException("Unknown change reason: " + label);
  }
}

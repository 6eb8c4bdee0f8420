package org.connectionregistry.application.port.in;

/** Why a session, or a client's presence, ended. */
public enum SessionEnd {
  /** The client said Goodbye: every session of its ID ends with it. */
  GOODBYE("goodbye"),
  /** The holder ended its session on purpose (e.g. Ctrl-C in the console client). */
  ENDED("session ended"),
  /** The holder vanished (died, lost its link, went silent) and did not come back in time. */
  LOST("session lost");

  private final String label;

  SessionEnd(String label) {
    this.label = label;
  }

  /** The reason as people read it: {@code goodbye}, {@code session ended}, {@code session lost}. */
  public String label() {
    return label;
  }

  /** The reason a label names; the inverse of {@link #label()}. */
  public static SessionEnd fromLabel(String label) {
    for (SessionEnd end : values()) {
      if (end.label.equals(label)) {
        return end;
      }
    }
    throw new IllegalArgumentException("Unknown session end: " + label);
  }
}

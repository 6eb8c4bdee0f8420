package org.connectionregistry.application.port.in;

import org.connectionregistry.domain.ChangeReason;

/** Why a session, or a client's presence, ended. */
public enum SessionEnd {
  /** The client said Goodbye: every session of its ID ends with it. */
  GOODBYE("goodbye", ChangeReason.GOODBYE),
  /** The holder ended its session on purpose (e.g. Ctrl-C in the console client). */
  ENDED("session ended", ChangeReason.SESSION_ENDED),
  /** The holder vanished (died, lost its link, went silent) and did not come back in time. */
  LOST("session lost", ChangeReason.SESSION_LOST);

  private final String label;
  private final ChangeReason changeReason;

  SessionEnd(String label, ChangeReason changeReason) {
    this.label = label;
    this.changeReason = changeReason;
  }

  /** The reason watchers are given when this end disconnects the client. */
  public ChangeReason changeReason() {
    return changeReason;
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

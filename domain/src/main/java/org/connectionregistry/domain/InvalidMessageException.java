package org.connectionregistry.domain;

/** A client sent something other than Hello or Goodbye. */
public final class InvalidMessageException extends InvalidInputException {

  private final String rejectedMessage;

  public InvalidMessageException(String rejectedMessage) {
    super("Invalid message type: " + rejectedMessage);
    this.rejectedMessage = rejectedMessage;
  }

  /** The message exactly as it was sent. */
  public String rejectedMessage() {
    return rejectedMessage;
  }
}

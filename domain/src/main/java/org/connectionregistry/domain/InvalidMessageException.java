package org.connectionregistry.domain;

/** A client sent something other than Hello or Goodbye. */
public final class InvalidMessageException extends InvalidInputException {

  private final String rejectedMessage;

  public InvalidMessageException(String rejectedMessage) {
    super("Invalid message type: " + rejectedMessage);
    this.rejectedMessage = rejectedMessage;
  }

  /**
   * No stack trace: this is an answer to a caller, not a fault, and a server rejects such
   * messages at request rate; filling in a trace would cost more than the rest of the call.
   */
  @Override
  public synchronized Throwable fillInStackTrace() {
    return this;
  }

  /** The message exactly as it was sent. */
  public String rejectedMessage() {
    return rejectedMessage;
  }
}

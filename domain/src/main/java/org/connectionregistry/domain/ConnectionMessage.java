package org.connectionregistry.domain;

/**
 * The messages a client may send, and the status each one leads to.
 *
 * <p>Interpretation ignores letter case and surrounding whitespace, so {@code "hello"},
 * {@code "HELLO"} and {@code " Hello "} all mean {@link #HELLO}.
 */
public enum ConnectionMessage {
  HELLO("Hello", ConnectionStatus.CONNECTED),
  GOODBYE("Goodbye", ConnectionStatus.DISCONNECTED);

  /** values() copies its array on every call; interpretation is on every request's path. */
  private static final ConnectionMessage[] ALL = values();

  private final String word;
  private final ConnectionStatus resultingStatus;

  ConnectionMessage(String word, ConnectionStatus resultingStatus) {
    this.word = word;
    this.resultingStatus = resultingStatus;
  }

  /**
   * Reads a message as a client sent it.
   *
   * @throws InvalidMessageException if it is neither Hello nor Goodbye
   */
  public static ConnectionMessage interpret(String message) {
    if (message != null) {
      String trimmed = message.strip();
      for (ConnectionMessage candidate : ALL) {
        if (candidate.word.equalsIgnoreCase(trimmed)) {
          return candidate;
        }
      }
    }
    throw new InvalidMessageException(message);
  }

  /** The word as the menu spells it: {@code Hello} or {@code Goodbye}. */
  public String word() {
    return word;
  }

  public ConnectionStatus resultingStatus() {
    return resultingStatus;
  }
}

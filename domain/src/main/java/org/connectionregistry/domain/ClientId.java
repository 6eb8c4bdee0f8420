package org.connectionregistry.domain;

/**
 * Names one client of the registry.
 *
 * <p>A client ID is 1 to {@value #MAX_LENGTH} characters, each a letter or digit of any script, or
 * one of {@code _ - . @}. The original system accepted any string, the empty one included; we
 * refuse what cannot be printed on one line or told apart at a glance, and say why.
 */
public record ClientId(String value) implements Comparable<ClientId> {

  public static final int MAX_LENGTH = 128;

  private static final String ALLOWED_SYMBOLS = "_-.@";

  public ClientId {
    if (value == null || value.isEmpty()) {
      throw new InvalidClientIdException("Client ID must not be empty");
    }
    int length = value.codePointCount(0, value.length());
    if (length > MAX_LENGTH) {
      throw new InvalidClientIdException(
          "Client ID must be at most " + MAX_LENGTH + " characters, got " + length);
    }
    for (int i = 0; i < value.length(); ) {
      int codePoint = value.codePointAt(i);
      if (!isAllowed(codePoint)) {
        throw new InvalidClientIdException(
            "Client ID must contain only letters, digits and _ - . @, but has "
                + describe(codePoint)
                + " at position "
                + (value.codePointCount(0, i) + 1));
      }
      i += Character.charCount(codePoint);
    }
  }

  public static ClientId of(String value) {
    return new ClientId(value);
  }

  private static boolean isAllowed(int codePoint) {
    return Character.isLetterOrDigit(codePoint) || ALLOWED_SYMBOLS.indexOf(codePoint) >= 0;
  }

  private static String describe(int codePoint) {
    String hex = String.format("U+%04X", codePoint);
    if (Character.isWhitespace(codePoint) || Character.isISOControl(codePoint)
        || Character.getType(codePoint) == Character.FORMAT) {
      return hex;
    }
    return "'" + Character.toString(codePoint) + "' (" + hex + ")";
  }

  @Override
  public int compareTo(ClientId other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }
}

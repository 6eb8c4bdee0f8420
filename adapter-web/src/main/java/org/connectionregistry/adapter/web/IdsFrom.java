package org.connectionregistry.adapter.web;

import java.util.Optional;
import org.connectionregistry.domain.ClientId;

/**
 * Where a listing must start so that its first client is the first one at or after a given text.
 * Listings start <em>after</em> a client ID (exclusive); to start <em>at</em> a text, this finds the
 * greatest valid client ID below it, so that no valid ID lies between the two. The filter box
 * uses it to jump straight to a prefix, however many clients come before it.
 *
 * <p>Client IDs are ordered as Java strings are (UTF-16 code units, {@link ClientId#compareTo});
 * every character of a valid ID is a single code unit of at most {@link #MAX_UNIT}, or a surrogate
 * pair, whose units are lower still.
 */
final class IdsFrom {

  /** The greatest code unit that is a valid client-ID character by itself. */
  static final char MAX_UNIT = greatestValidBmpCharacter();

  private IdsFrom() {}

  /**
   * The greatest valid client ID below {@code text}, or empty if none is (then a listing starts at
   * the very first client).
   *
   * @param text one or more valid client-ID characters
   */
  static Optional<ClientId> startAt(String text) {
    int lastStart = text.offsetByCodePoints(text.length(), -1);
    String head = text.substring(0, lastStart);
    int last = text.codePointAt(lastStart);
    int below = greatestValidBelow(last);
    if (below < 0) {
      // Nothing sorts between the head and the text: the head itself is the greatest ID below.
      return head.isEmpty() ? Optional.empty() : Optional.of(ClientId.of(head));
    }
    int room = ClientId.MAX_LENGTH - head.codePointCount(0, head.length()) - 1;
    StringBuilder id = new StringBuilder(head).appendCodePoint(below);
    for (int i = 0; i < room; i++) {
      id.append(MAX_UNIT);
    }
    return Optional.of(ClientId.of(id.toString()));
  }

  /** The greatest valid character that sorts (as UTF-16) below {@code codePoint}; -1 if none. */
  private static int greatestValidBelow(int codePoint) {
    // In UTF-16 order: BMP below the surrogates, then the supplementary planes, then BMP above.
    if (codePoint >= 0xE000 && codePoint <= 0xFFFF) {
      for (int c = codePoint - 1; c >= 0xE000; c--) {
        if (isValid(c)) {
          return c;
        }
      }
      return greatestValidFrom(Character.MAX_CODE_POINT);
    }
    if (codePoint > 0xFFFF) {
      return greatestValidFrom(codePoint - 1);
    }
    return greatestValidBmpFrom(codePoint - 1);
  }

  private static int greatestValidFrom(int supplementary) {
    for (int c = supplementary; c >= Character.MIN_SUPPLEMENTARY_CODE_POINT; c--) {
      if (isValid(c)) {
        return c;
      }
    }
    return greatestValidBmpFrom(Character.MIN_SURROGATE - 1);
  }

  private static int greatestValidBmpFrom(int c) {
    for (; c >= 0; c--) {
      if (isValid(c)) {
        return c;
      }
    }
    return -1;
  }

  /**
   * Whether {@code codePoint} alone is a valid client ID. {@link ClientId} has the rule; the quick
   * test before it only skips the many characters that no rule of letters, digits and {@code
   * _-.@} could allow, so that a search through the planes stays fast. (Should the rule ever allow
   * more, a listing would merely start a little early: the caller skips what sorts below.)
   */
  private static boolean isValid(int codePoint) {
    if (!Character.isLetterOrDigit(codePoint) && "_-.@".indexOf(codePoint) < 0) {
      return false;
    }
    try {
      ClientId.of(Character.toString(codePoint));
      return true;
    } catch (RuntimeException invalid) {
      return false;
    }
  }

  private static char greatestValidBmpCharacter() {
    for (char c = Character.MAX_VALUE; c > Character.MAX_SURROGATE; c--) {
      if (isValid(c)) {
        return c;
      }
    }
    throw new IllegalStateException("no valid client-ID character above the surrogates");
  }
}

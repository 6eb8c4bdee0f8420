package org.connectionregistry.adapter.console;

import org.connectionregistry.domain.ClientId;

/** Turns a client ID as typed into a {@link ClientId}. */
final class ClientIds {

  private ClientIds() {}

  /**
   * Surrounding whitespace is dropped: it cannot be seen on the screen, and a client ID may not
   * contain any, so {@code " user_1 "} can only mean {@code user_1}.
   *
   * @throws org.connectionregistry.domain.InvalidClientIdException if what is left is not a valid
   *     client ID
   */
  static ClientId parse(String typed) {
    return ClientId.of(typed.strip());
  }
}

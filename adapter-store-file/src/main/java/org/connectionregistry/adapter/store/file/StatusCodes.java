package org.connectionregistry.adapter.store.file;

import org.connectionregistry.domain.ChangeReason;
import org.connectionregistry.domain.ConnectionStatus;

/**
 * The one-byte codes the file uses for statuses and reasons, each mapping next to its inverse.
 * They are part of the file format: never renumber them, only add.
 */
final class StatusCodes {

  private StatusCodes() {}

  static byte code(ConnectionStatus status) {
    return switch (status) {
      case DISCONNECTED -> 0;
      case CONNECTED -> 1;
    };
  }

  static ConnectionStatus status(byte code) {
    switch (code) {
      case 0:
        return ConnectionStatus.DISCONNECTED;
      case 1:
        return ConnectionStatus.CONNECTED;
      default:
        throw new IllegalStateException("unknown status code " + code + " in the store file");
    }
  }

  static byte code(ChangeReason reason) {
    return switch (reason) {
      case HELLO -> 1;
      case GOODBYE -> 2;
      case SESSION_STARTED -> 3;
      case SESSION_ENDED -> 4;
      case SESSION_LOST -> 5;
    };
  }

  static ChangeReason reason(byte code) {
    switch (code) {
      case 1:
        return ChangeReason.HELLO;
      case 2:
        return ChangeReason.GOODBYE;
      case 3:
        return ChangeReason.SESSION_STARTED;
      case 4:
        return ChangeReason.SESSION_ENDED;
      case 5:
        return ChangeReason.SESSION_LOST;
      default:
        throw new IllegalStateException("unknown change reason code " + code + " in the store file");
    }
  }
}

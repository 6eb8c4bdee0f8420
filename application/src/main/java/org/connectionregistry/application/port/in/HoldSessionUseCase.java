package org.connectionregistry.application.port.in;

import org.connectionregistry.domain.ClientId;

/**
 * A client holds a live session for its ID: it is connected while any of its sessions lives, and
 * is marked disconnected, on its own, once the last one is gone. A session that is ended
 * ({@link Session#end()}) disconnects at once; one that is lost ({@link Session#drop()}: the
 * process died, the link broke or went silent) disconnects after a grace period, unless another
 * session for the ID is live by then, so a client that comes back within it never flickers.
 */
public interface HoldSessionUseCase {

  /**
   * Opens a session for {@code clientId}. Returns at once; {@code listener} hears when the client
   * is recorded as connected, and how the session ends.
   */
  Session hold(ClientId clientId, SessionListener listener);

  /** One live session. Both methods may be called more than once, from any thread. */
  interface Session {

    /** The holder leaves on purpose: the session ends, and with it (if it was the last) the presence. */
    void end();

    /** The holder is gone without a word: the client is disconnected after the grace period. */
    void drop();
  }

  /** What a holder hears of its session; called from whatever thread the event happens on. */
  interface SessionListener {

    /** The client is recorded as connected; for a remote holder, also each time it is back. */
    void connected();

    /** A remote holder's link broke; it is being re-established. Never called on the server. */
    default void lost(String why) {}

    /** The session is over, for this reason; nothing is called after this. */
    void ended(SessionEnd reason);

    /** The session could not be opened or kept (e.g. the store is down); nothing follows. */
    void failed(Throwable failure);
  }
}

package org.connectionregistry.adapter.console;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.application.port.in.HoldSessionUseCase;
import org.connectionregistry.application.port.in.HoldSessionUseCase.Session;
import org.connectionregistry.application.port.in.SessionEnd;
import org.connectionregistry.domain.ClientId;

/**
 * The console client's {@code present} mode: holds a live session for one client ID until the
 * input ends (or {@link #leave()} is called, e.g. on Ctrl-C), and prints one line each time the
 * session is connected, lost, back, or over. Lines are flushed as they are printed, for scripts.
 */
public final class PresenceConsole {

  /** How long leaving waits for the server to confirm the session ended. */
  private static final long LEAVE_WAIT_MILLIS = 2_000;

  private final HoldSessionUseCase holdSession;
  private final ClientId clientId;
  private final UntilEndOfInput untilEndOfInput;
  private volatile Session session;
  private volatile boolean failed;

  public PresenceConsole(
      HoldSessionUseCase holdSession, ClientId clientId, InputStream in, PrintStream out) {
    this.holdSession = Objects.requireNonNull(holdSession, "holdSession");
    this.clientId = Objects.requireNonNull(clientId, "clientId");
    this.untilEndOfInput = new UntilEndOfInput(in, out, "presence-input");
  }

  /**
   * Holds the session until the input ends or the session is over; returns the exit code: 0, or
   * 1 if the server refused the session.
   */
  public int run() {
    print("Holding a session for " + clientId.value() + " until Ctrl-C or end of input.");
    session = holdSession.hold(clientId, new Printer());
    untilEndOfInput.await();
    leave();
    return failed ? 1 : 0;
  }

  /** Ends the session on purpose and waits (briefly) for the server to confirm it. */
  public void leave() {
    Session current = session;
    if (current != null) {
      current.end();
    }
    untilEndOfInput.end();
    try {
      ended.await(LEAVE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private final CountDownLatch ended = new CountDownLatch(1);

  private void print(String line) {
    untilEndOfInput.print(line);
  }

  private final class Printer implements HoldSessionUseCase.SessionListener {
    private boolean everConnected;
    private boolean down;

    @Override
    public synchronized void connected() {
      if (!everConnected) {
        print("Connected as " + clientId.value() + ".");
      } else {
        print("Back: connected as " + clientId.value() + " again.");
      }
      everConnected = true;
      down = false;
    }

    @Override
    public synchronized void lost(String why) {
      if (down) {
        return;
      }
      down = true;
      print((everConnected ? "Connection lost: " : "Not connected yet: ") + why + ". Reconnecting...");
    }

    @Override
    public void ended(SessionEnd reason) {
      if (reason == SessionEnd.GOODBYE) {
        print("Session ended: " + clientId.value() + " said Goodbye.");
      } else {
        print("Session ended.");
      }
      ended.countDown();
      untilEndOfInput.end();
    }

    @Override
    public void failed(Throwable failure) {
      failed = true;
      print("Session refused: " + failure.getMessage());
      ended.countDown();
      untilEndOfInput.end();
    }
  }
}

package org.connectionregistry.adapter.console;

import java.io.InputStream;
import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Objects;
import java.util.OptionalLong;
import org.connectionregistry.application.port.in.FollowRegistryUseCase;
import org.connectionregistry.application.port.in.FollowRegistryUseCase.Following;
import org.connectionregistry.application.port.in.WatchEvent;
import org.connectionregistry.domain.ClientChange;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.RevisionCompactedException;

/**
 * The console client's {@code watch} mode: follows the registry until the input ends (or {@link
 * #stop()} is called, e.g. on Ctrl-C), printing one line per change in words, e.g. {@code
 * 10:42:03  user_1  connected  (hello)  #17}. Without a starting revision it first prints the
 * registry, one line per client and a summary. Progress notifications print nothing; a broken
 * connection is said and mended by itself. Lines are flushed as they are printed, for scripts.
 */
public final class WatchConsole {

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
  private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  private final FollowRegistryUseCase follow;
  private final OptionalLong from;
  private final UntilEndOfInput untilEndOfInput;
  private final ZoneId zone;
  private volatile Following following;
  private volatile boolean failed;

  /**
   * @param from watch the changes after this revision; empty: print the registry first
   * @param zone the time zone times are printed in
   */
  public WatchConsole(
      FollowRegistryUseCase follow, OptionalLong from, InputStream in, PrintStream out, ZoneId zone) {
    this.follow = Objects.requireNonNull(follow, "follow");
    this.from = Objects.requireNonNull(from, "from");
    this.untilEndOfInput = new UntilEndOfInput(in, out, "watch-input");
    this.zone = Objects.requireNonNull(zone, "zone");
  }

  /** Follows until the input ends or following fails; returns the exit code, 0 or 1. */
  public int run() {
    if (from.isPresent()) {
      print("Watching changes after #" + from.getAsLong() + " until Ctrl-C or end of input.");
    } else {
      print("Watching the registry until Ctrl-C or end of input.");
    }
    following = follow.follow(from, new Printer(from));
    untilEndOfInput.await();
    stop();
    return failed ? 1 : 0;
  }

  /** Stops following; harmless twice. */
  public void stop() {
    Following current = following;
    if (current != null) {
      current.close();
    }
    untilEndOfInput.end();
  }

  private void print(String line) {
    untilEndOfInput.print(line);
  }

  /** One line per change: time, who, what, why, revision. */
  String changeLine(ClientChange change) {
    return TIME.format(change.at().atZone(zone))
        + "  " + change.clientId().value()
        + "  " + change.status().label()
        + "  (" + change.reason().label() + ")"
        + "  #" + change.revision();
  }

  /** One line per client of the snapshot: who, what, since when, revision. */
  String clientLine(ClientConnection client) {
    StringBuilder line =
        new StringBuilder("  ").append(client.clientId().value()).append("  ")
            .append(client.status().label());
    client.sinceIfKnown().ifPresent(since -> line.append("  since ").append(dateTime(since)));
    if (client.revision() != ClientConnection.NO_REVISION) {
      line.append("  #").append(client.revision());
    }
    return line.toString();
  }

  private String dateTime(Instant at) {
    return DATE_TIME.format(at.atZone(zone));
  }

  private final class Printer implements FollowRegistryUseCase.Follower {
    /** Where a resume starts: empty until a snapshot is complete or a revision was given. */
    private OptionalLong revision;
    private long listed;
    private long connected;
    private long changedWhileListing;
    private boolean down;
    /** Whether the server ever answered: a revision given that fails at once is the user's. */
    private boolean answered;

    Printer(OptionalLong from) {
      this.revision = from;
    }

    @Override
    public synchronized void event(WatchEvent event) {
      answered = true;
      if (event instanceof WatchEvent.SnapshotPage page) {
        for (ClientConnection client : page.clients()) {
          listed++;
          if (client.status() == ConnectionStatus.CONNECTED) {
            connected++;
          }
          print(clientLine(client));
        }
      } else if (event instanceof WatchEvent.Changes changes) {
        for (ClientChange change : changes.changes()) {
          if (revision.isEmpty()) {
            changedWhileListing++;
          }
          print(changeLine(change));
        }
        if (revision.isPresent()) {
          revision = OptionalLong.of(changes.changes().get(changes.changes().size() - 1).revision());
        }
      } else if (event instanceof WatchEvent.SnapshotComplete complete) {
        revision = OptionalLong.of(complete.revision());
        print("Registry at #" + complete.revision() + ": " + listed + " clients listed ("
            + connected + " connected, " + (listed - connected) + " disconnected)"
            + (changedWhileListing == 0 ? "" : ", " + changedWhileListing + " changes while listing")
            + ". Watching for changes.");
      } else if (event instanceof WatchEvent.Progress progress) {
        // Silent: the watcher is current, and nothing changed.
        revision = OptionalLong.of(Math.max(revision.orElse(0), progress.revision()));
      }
    }

    @Override
    public synchronized void interrupted(String why) {
      if (down) {
        return;
      }
      down = true;
      print("Connection lost: " + why + ". Reconnecting...");
    }

    @Override
    public synchronized void resumed(OptionalLong afterRevision) {
      down = false;
      if (afterRevision.isPresent()) {
        print("Back: watching changes after #" + afterRevision.getAsLong() + " again.");
      } else {
        listed = 0;
        connected = 0;
        changedWhileListing = 0;
        print("Back: listing the registry again.");
      }
    }

    @Override
    public void failed(RuntimeException failure) {
      boolean resumable;
      synchronized (this) {
        // Changes were missed while the connection was down, and the server no longer keeps
        // them: start over from a new listing, saying so. A --from that the server refuses at
        // once is the user's to fix.
        resumable = failure instanceof RevisionCompactedException && answered;
        if (resumable) {
          revision = OptionalLong.empty();
          listed = 0;
          connected = 0;
          changedWhileListing = 0;
          down = false;
        }
      }
      if (resumable) {
        print("Missed changes are no longer kept on the server (" + failure.getMessage()
            + "). Listing the registry again.");
        following = follow.follow(OptionalLong.empty(), this);
        return;
      }
      failed = true;
      print("Cannot watch: " + failure.getMessage());
      untilEndOfInput.end();
    }
  }
}

package org.connectionregistry.application.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.connectionregistry.application.port.in.HoldSessionUseCase;
import org.connectionregistry.application.port.in.SendMessageCommand;
import org.connectionregistry.application.port.in.SendMessageUseCase;
import org.connectionregistry.application.port.in.SessionEnd;
import org.connectionregistry.application.port.out.SessionLedger;
import org.connectionregistry.application.port.out.Timer;
import org.connectionregistry.domain.ChangeReason;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionMessage;
import org.connectionregistry.domain.ConnectionRegistry;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.DomainException;
import org.connectionregistry.domain.Stages;
import org.connectionregistry.domain.StatusChange;

/**
 * Live presence: clients connected while they hold sessions, and disconnected on their own when
 * the last session is gone. Also the Hello/Goodbye use case, which it hands on to the plain one
 * after settling how a message meets the sessions of its ID:
 *
 * <ul>
 *   <li>The first session of an ID records it connected (and notes it in the {@link SessionLedger}
 *       first, so a successor can expire it should this server die). Further sessions of the same
 *       ID write nothing: the ID stays connected while any of them lives.
 *   <li>A session that ends on purpose, if it was the last, records the ID disconnected at once.
 *   <li>A session that is lost, if it was the last, records the ID disconnected after the grace
 *       period, unless a session for the ID opens meanwhile: then nothing is written at all, so a
 *       client that comes back in time is never shown disconnected.
 *   <li>Goodbye ends every session of the ID (their holders hear {@link SessionEnd#GOODBYE}).
 *       Hello during a grace period cancels the pending expiry: the client's word is the latest.
 *       Without sessions, both behave exactly as before.
 * </ul>
 *
 * <p>Writes for one ID are issued in the order of these events, each after the one before it has
 * completed, so the store never ends up with an older status than the last event's.
 */
public final class SessionService implements HoldSessionUseCase, SendMessageUseCase {

  private final ConnectionService messages;
  private final ConnectionRegistry registry;
  private final SessionLedger ledger;
  private final Timer timer;
  private final Duration grace;

  /** IDs with live sessions, or whose last session was lost within the grace period. */
  private final ConcurrentHashMap<ClientId, Presence> presences = new ConcurrentHashMap<>();

  /** The last write of a presence that has ended, while it is still under way. */
  private final ConcurrentHashMap<ClientId, CompletableFuture<Void>> settling =
      new ConcurrentHashMap<>();

  private volatile boolean reaping;
  private volatile Timer.Cancellable nextReap;

  public SessionService(
      ConnectionService messages,
      ConnectionRegistry registry,
      SessionLedger ledger,
      Timer timer,
      Duration grace) {
    this.messages = Objects.requireNonNull(messages, "messages");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.ledger = Objects.requireNonNull(ledger, "ledger");
    this.timer = Objects.requireNonNull(timer, "timer");
    this.grace = Objects.requireNonNull(grace, "grace");
    if (grace.isNegative()) {
      throw new IllegalArgumentException("grace must not be negative, got " + grace);
    }
  }

  /**
   * Takes over what a previous server's sessions held (as its ledger says): each such ID is
   * treated as held by a session lost just now, so it is disconnected after the grace period
   * unless its client opens a session here first. Returns how many IDs were taken over.
   */
  public int inheritFromLedger() {
    int inherited = 0;
    for (ClientId id : ledger.held()) {
      Presence presence = new Presence(id);
      synchronized (presence) {
        if (presences.putIfAbsent(id, presence) != null) {
          continue;
        }
        presence.recorded = CompletableFuture.completedFuture(null);
        scheduleExpiry(presence);
      }
      inherited++;
    }
    return inherited;
  }

  /**
   * Expires what the sessions of servers that died held (see {@link SessionLedger#claimOrphans}):
   * each ID not held by a session here or on another live server is recorded disconnected, as a
   * session lost. An ID a session here holds is left to it. A dead server's account is dropped
   * once all its IDs are written; if a write fails it is kept, and claimed again later. Returns
   * how many IDs were taken over.
   */
  public CompletionStage<Integer> reapOrphans() {
    return ledger
        .claimOrphans()
        .thenCompose(
            claimed -> {
              CompletableFuture<Integer> all = CompletableFuture.completedFuture(0);
              for (SessionLedger.Orphans orphans : claimed) {
                all = all.thenCombine(expireOrphans(orphans), Integer::sum);
              }
              return all;
            });
  }

  /** Reaps orphans every {@code interval}, from now on, until {@link #stopReaping()}. */
  public void reapEvery(Duration interval) {
    Objects.requireNonNull(interval, "interval");
    if (reaping) {
      return;
    }
    reaping = true;
    ledger.onLapse(this::reassert);
    scheduleReap(interval);
  }

  /**
   * This server may have been taken for dead, and the IDs its sessions hold expired by others:
   * each is noted in the ledger and recorded connected again, after its presence's own writes.
   */
  private void reassert() {
    for (Presence presence : presences.values()) {
      synchronized (presence) {
        if (presence.retired || presence.sessions.isEmpty() || presence.recorded == null) {
          continue;
        }
        ClientId id = presence.id;
        presence.recorded =
            after(presence.recorded)
                .thenCompose(ready -> ledger.hold(id))
                .thenCompose(
                    held -> registry.record(id, ConnectionStatus.CONNECTED, ChangeReason.SESSION_STARTED))
                // The sessions go on either way; a failure here is the store's, told elsewhere.
                .handle((entry, failure) -> (Void) null);
      }
    }
  }

  /** Stops the reaping that {@link #reapEvery} started. */
  public void stopReaping() {
    reaping = false;
    Timer.Cancellable next = nextReap;
    if (next != null) {
      next.cancel();
    }
  }

  private void scheduleReap(Duration interval) {
    nextReap =
        timer.schedule(
            interval,
            () -> {
              if (!reaping) {
                return;
              }
              CompletionStage<Integer> round;
              try {
                round = reapOrphans();
              } catch (RuntimeException e) {
                round = CompletableFuture.failedFuture(e);
              }
              // A failed round (the store is down) is simply tried again at the next one.
              round.whenComplete(
                  (count, failure) -> {
                    if (reaping) {
                      scheduleReap(interval);
                    }
                  });
            });
  }

  private CompletionStage<Integer> expireOrphans(SessionLedger.Orphans orphans) {
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    for (ClientId id : orphans.ids()) {
      Presence presence = new Presence(id);
      synchronized (presence) {
        if (presences.putIfAbsent(id, presence) != null) {
          continue; // a session here holds it (or just lost it): this server's own rules apply
        }
        presence.recorded = after(settling.get(id));
        writes.add(disconnect(presence, SessionEnd.LOST));
      }
    }
    return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new))
        .thenCompose(written -> orphans.close())
        .thenApply(closed -> writes.size());
  }

  /** How many IDs are held by live sessions or wait out a grace period; for tests and metrics. */
  public int presenceCount() {
    return presences.size();
  }

  @Override
  public Session hold(ClientId clientId, SessionListener listener) {
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(listener, "listener");
    while (true) {
      Presence presence = presences.computeIfAbsent(clientId, Presence::new);
      LiveSession session;
      CompletableFuture<Void> recorded;
      synchronized (presence) {
        if (presence.retired) {
          continue; // ended just now; the next round finds or makes a fresh one
        }
        presence.cancelExpiry();
        session = new LiveSession(presence, listener);
        presence.sessions.add(session);
        if (presence.recorded == null) {
          presence.recorded = connect(clientId);
        }
        recorded = presence.recorded;
      }
      recorded.whenComplete(
          (done, failure) -> {
            if (failure == null) {
              session.announceConnected();
            } else {
              session.fail(Stages.cause(failure));
            }
          });
      return session;
    }
  }

  @Override
  public CompletionStage<StatusChange> sendMessageAsync(SendMessageCommand command) {
    ConnectionMessage message;
    try {
      message = ConnectionMessage.interpret(command.message());
    } catch (DomainException e) {
      return messages.sendMessageAsync(command); // fails as it always did
    }
    Presence presence = presences.get(command.clientId());
    if (presence == null) {
      return messages.record(command.clientId(), message); // read once, not again there
    }
    return message.resultingStatus() == ConnectionStatus.DISCONNECTED
        ? goodbye(presence, command)
        : hello(presence, command);
  }

  @Override
  public StatusChange sendMessage(SendMessageCommand command) {
    return Stages.await(sendMessageAsync(command));
  }

  /** Goodbye: written after the presence's own write, then every session hears of it. */
  private CompletionStage<StatusChange> goodbye(Presence presence, SendMessageCommand command) {
    List<LiveSession> ended;
    CompletableFuture<StatusChange> change;
    synchronized (presence) {
      if (presence.retired) {
        return messages.sendMessageAsync(command);
      }
      presence.cancelExpiry();
      ended = presence.endAll();
      change =
          after(presence.recorded)
              .thenCompose(ready -> messages.sendMessageAsync(command))
              .toCompletableFuture();
      retire(presence, change.thenCompose(done -> ledger.release(presence.id)));
    }
    return change.whenComplete(
        (done, failure) -> {
          for (LiveSession session : ended) {
            if (failure == null) {
              session.listener.ended(SessionEnd.GOODBYE);
            } else {
              session.listener.failed(Stages.cause(failure));
            }
          }
        });
  }

  /** Hello: live sessions carry on; a pending expiry is called off, the client said otherwise. */
  private CompletionStage<StatusChange> hello(Presence presence, SendMessageCommand command) {
    synchronized (presence) {
      if (presence.retired || !presence.sessions.isEmpty() || presence.expiry == null) {
        return messages.sendMessageAsync(command);
      }
      presence.cancelExpiry();
      CompletableFuture<StatusChange> change =
          after(presence.recorded)
              .thenCompose(ready -> messages.sendMessageAsync(command))
              .toCompletableFuture();
      retire(presence, change.thenCompose(done -> ledger.release(presence.id)));
      return change;
    }
  }

  /** The first session's write: noted in the ledger, then recorded as connected. */
  private CompletableFuture<Void> connect(ClientId id) {
    return after(settling.get(id))
        .thenCompose(ready -> ledger.hold(id))
        .thenCompose(
            held -> registry.record(id, ConnectionStatus.CONNECTED, ChangeReason.SESSION_STARTED))
        .<Void>thenApply(entry -> null)
        .toCompletableFuture();
  }

  /**
   * Ends a presence: after its own write, records the ID disconnected (unless a session on another
   * server holds it) and frees it in the ledger. Returns when all that is done.
   */
  private CompletableFuture<Void> disconnect(Presence presence, SessionEnd reason) {
    ClientId id = presence.id;
    CompletableFuture<Void> written =
        after(presence.recorded).thenCompose(ready -> settle(id, reason)).toCompletableFuture();
    retire(presence, written);
    written.whenComplete(
        (done, failure) -> {
          if (failure != null) {
            // The store is down: try again later, unless the client is back by then.
            timer.schedule(grace, () -> retryDisconnect(id, reason));
          }
        });
    return written;
  }

  /**
   * The last session of {@code id} on this server is gone: disconnected, unless sessions on
   * another live server hold it. Two servers whose last sessions of an ID end at the same time
   * must not each leave it to the other, and a session that opens elsewhere while this one writes
   * must not be overwritten, so the check is made again after this server's own step:
   *
   * <ul>
   *   <li>held nowhere else: record disconnected, free it here, look again; held elsewhere by now
   *       (its write may have come before ours), record connected again;
   *   <li>held elsewhere: free it here first, then look again; if the other server freed it
   *       meanwhile (and, seeing ours, left it to us), record disconnected.
   * </ul>
   *
   * Of two servers that free the same ID at once, at least one sees the other's account empty, so
   * the ID never stays connected with no session anywhere.
   */
  private CompletionStage<Void> settle(ClientId id, SessionEnd reason) {
    return heldElsewhere(id)
        .thenCompose(
            held -> {
              if (!held) {
                return registry
                    .record(id, ConnectionStatus.DISCONNECTED, reason.changeReason())
                    .thenCompose(entry -> ledger.release(id))
                    .thenCompose(released -> heldElsewhere(id))
                    .thenCompose(
                        heldNow ->
                            heldNow
                                ? registry
                                    .record(id, ConnectionStatus.CONNECTED, ChangeReason.SESSION_STARTED)
                                    .<Void>thenApply(entry -> null)
                                : CompletableFuture.<Void>completedFuture(null));
              }
              return ledger
                  .release(id)
                  .thenCompose(released -> heldElsewhere(id))
                  .thenCompose(
                      stillHeld ->
                          stillHeld
                              ? CompletableFuture.<Void>completedFuture(null)
                              : registry
                                  .record(id, ConnectionStatus.DISCONNECTED, reason.changeReason())
                                  .<Void>thenApply(entry -> null));
            });
  }

  private CompletionStage<Boolean> heldElsewhere(ClientId id) {
    return ledger.heldElsewhere(List.of(id)).thenApply(held -> held.contains(id));
  }

  private void retryDisconnect(ClientId id, SessionEnd reason) {
    Presence presence = new Presence(id);
    synchronized (presence) {
      if (presences.putIfAbsent(id, presence) != null) {
        return; // a session opened meanwhile: it owns the ID now
      }
      presence.recorded = after(settling.get(id));
      disconnect(presence, reason);
    }
  }

  /** Takes the presence out of the map; a hold after this starts a fresh one, after {@code last}. */
  private void retire(Presence presence, CompletionStage<Void> last) {
    presence.retired = true;
    CompletableFuture<Void> settled = last.toCompletableFuture();
    settling.put(presence.id, settled);
    settled.whenComplete((done, failure) -> settling.remove(presence.id, settled));
    presences.remove(presence.id, presence);
  }

  private void scheduleExpiry(Presence presence) {
    Object token = new Object();
    presence.expiryToken = token;
    presence.expiry = timer.schedule(grace, () -> expire(presence, token));
  }

  private void expire(Presence presence, Object token) {
    synchronized (presence) {
      if (presence.retired || presence.expiryToken != token || !presence.sessions.isEmpty()) {
        return;
      }
      presence.expiry = null;
      presence.expiryToken = null;
      disconnect(presence, SessionEnd.LOST);
    }
  }

  /** A stage that completes when {@code previous} has, however it did; now if there is none. */
  private static CompletableFuture<Void> after(CompletionStage<?> previous) {
    if (previous == null) {
      return CompletableFuture.completedFuture(null);
    }
    return previous.handle((done, failure) -> (Void) null).toCompletableFuture();
  }

  /** One client ID held by sessions; guarded by its own monitor. */
  private final class Presence {
    final ClientId id;
    final List<LiveSession> sessions = new ArrayList<>(1);
    CompletableFuture<Void> recorded;
    Timer.Cancellable expiry;
    Object expiryToken;
    boolean retired;

    Presence(ClientId id) {
      this.id = id;
    }

    void cancelExpiry() {
      if (expiry != null) {
        expiry.cancel();
        expiry = null;
        expiryToken = null;
      }
    }

    List<LiveSession> endAll() {
      List<LiveSession> all = new ArrayList<>(sessions);
      for (LiveSession session : all) {
        session.over = true;
      }
      sessions.clear();
      return all;
    }
  }

  private final class LiveSession implements Session {
    final Presence presence;
    final SessionListener listener;
    boolean over; // guarded by presence

    LiveSession(Presence presence, SessionListener listener) {
      this.presence = presence;
      this.listener = listener;
    }

    void announceConnected() {
      synchronized (presence) {
        if (over) {
          return;
        }
      }
      listener.connected();
    }

    void fail(Throwable failure) {
      synchronized (presence) {
        if (over) {
          return;
        }
        over = true;
        presence.sessions.remove(this);
        if (presence.sessions.isEmpty() && !presence.retired) {
          // Nothing was recorded: a later session tries afresh.
          retire(presence, CompletableFuture.completedFuture(null));
        }
      }
      listener.failed(failure);
    }

    @Override
    public void end() {
      synchronized (presence) {
        if (over) {
          return;
        }
        over = true;
        presence.sessions.remove(this);
        if (presence.sessions.isEmpty()) {
          disconnect(presence, SessionEnd.ENDED);
        }
      }
      listener.ended(SessionEnd.ENDED);
    }

    @Override
    public void drop() {
      synchronized (presence) {
        if (over) {
          return;
        }
        over = true;
        presence.sessions.remove(this);
        if (presence.sessions.isEmpty()) {
          scheduleExpiry(presence);
        }
      }
    }
  }
}

package org.connectionregistry.adapter.store.redis;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.connectionregistry.domain.ChangeCursor;
import org.connectionregistry.domain.ChangeFeed;
import org.connectionregistry.domain.ChangeHistory;
import org.connectionregistry.domain.ClientChange;
import org.connectionregistry.domain.RevisionCompactedException;

/**
 * A {@link ChangeFeed} over a local {@link ChangeHistory} that can be started again when the log
 * it mirrors (a Redis Stream) jumps: the mirror fell behind a trimmed stream, or Redis lost data.
 * A gap is never skipped silently:
 *
 * <ul>
 *   <li>{@link #restartAt} (the log moved on past what this server read): a new history starts
 *       at the new compacted revision; a cursor that had read up to it carries on, one that had
 *       not fails with {@link RevisionCompactedException}, so its watcher lists again;
 *   <li>{@link #reset} (the log lost changes, or was emptied): every open cursor fails, since the
 *       changes it delivered may no longer be the registry's.
 * </ul>
 *
 * One appender at a time, as for {@link ChangeHistory}: the store's log reader.
 */
final class RestartableFeed implements ChangeFeed {

  private final int capacity;
  private final Set<Cursor> open = ConcurrentHashMap.newKeySet();
  private volatile ChangeHistory history;
  /** Counts {@link #reset}s: a cursor opened before the last one cannot go on from before it. */
  private volatile long resets;
  /** The compacted revision of the last {@link #reset}. */
  private volatile long lastResetAt;

  RestartableFeed(int capacity, long compactedRevision) {
    this.capacity = capacity;
    this.history = new ChangeHistory(capacity, compactedRevision);
  }

  int capacity() {
    return capacity;
  }

  /** Appends the next change of the log. */
  void append(ClientChange change) {
    history.append(change);
  }

  /** Appends the next changes of the log. */
  void appendAll(List<ClientChange> changes) {
    history.appendAll(changes);
  }

  /** Starts the history again after {@code compactedRevision}; cursors at or past it go on. */
  void restartAt(long compactedRevision) {
    history = new ChangeHistory(capacity, compactedRevision);
    wakeAll();
  }

  /**
   * Starts the history again after {@code compactedRevision}; every open cursor fails, but one
   * opened after a later revision (its caller listed after the reset, before this server's
   * reader got there), which goes on.
   */
  void reset(long compactedRevision) {
    history = new ChangeHistory(capacity, compactedRevision);
    lastResetAt = compactedRevision;
    resets++;
    wakeAll();
  }

  private void wakeAll() {
    for (Cursor cursor : open) {
      cursor.onChange.run();
    }
  }

  @Override
  public long latestRevision() {
    return history.latestRevision();
  }

  @Override
  public long compactedRevision() {
    return history.compactedRevision();
  }

  @Override
  public ChangeCursor openAfter(long revision, Runnable onChange) {
    ChangeHistory now = history;
    long resetsNow = resets;
    Cursor cursor = new Cursor(now, resetsNow, now.openAfter(revision, onChange), onChange, revision);
    open.add(cursor);
    return cursor;
  }

  @Override
  public String toString() {
    return history.toString();
  }

  private final class Cursor implements ChangeCursor {

    private ChangeHistory source;
    private final long resetsAtOpen;
    private ChangeCursor inner;
    private final Runnable onChange;
    /**
     * The revision the cursor was opened after. A history opened after a revision it does not
     * hold yet (this server's reader has not read the change its writer just made) starts with
     * its next change, whatever that change's revision: those up to this one are dropped here.
     */
    private final long after;

    Cursor(ChangeHistory source, long resetsAtOpen, ChangeCursor inner, Runnable onChange, long after) {
      this.source = source;
      this.resetsAtOpen = resetsAtOpen;
      this.inner = inner;
      this.onChange = onChange;
      this.after = after;
    }

    @Override
    public List<ClientChange> poll(int max) {
      ChangeHistory now = history;
      if (now != source) {
        long position = position();
        if ((resets != resetsAtOpen && position <= lastResetAt) || position < now.compactedRevision()) {
          throw new RevisionCompactedException(position, now.compactedRevision());
        }
        inner.close();
        inner = now.openAfter(position, onChange);
        source = now;
      }
      while (true) {
        List<ClientChange> read = inner.poll(max);
        if (read.isEmpty() || read.get(0).revision() > after) {
          return read;
        }
        List<ClientChange> later = read.stream().filter(change -> change.revision() > after).toList();
        if (!later.isEmpty()) {
          return later;
        }
      }
    }

    @Override
    public long position() {
      return Math.max(after, inner.position());
    }

    @Override
    public void close() {
      open.remove(this);
      inner.close();
    }
  }
}

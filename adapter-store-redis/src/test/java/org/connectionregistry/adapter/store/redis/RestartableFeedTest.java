package org.connectionregistry.adapter.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.connectionregistry.domain.ChangeCursor;
import org.connectionregistry.domain.ChangeReason;
import org.connectionregistry.domain.ClientChange;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.RevisionCompactedException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@Feature("Watch")
@Story("Redis change feed")
@DisplayName("The Redis store's local feed: a gap in the log is never skipped silently")
class RestartableFeedTest {

  private static ClientChange change(long revision) {
    return new ClientChange(revision, ClientId.of("c" + revision), ConnectionStatus.CONNECTED,
        ChangeReason.HELLO, Instant.ofEpochMilli(1_000 + revision));
  }

  @Test
  @DisplayName("after a hole in the log, a cursor that had read up to the hole goes on, and one behind it is told to list again")
  void restartAfterAHole() {
    RestartableFeed feed = new RestartableFeed(100, 0);
    for (long r = 1; r <= 5; r++) {
      feed.append(change(r));
    }
    AtomicInteger woken = new AtomicInteger();
    ChangeCursor current = feed.openAfter(5, woken::incrementAndGet);
    ChangeCursor behind = feed.openAfter(2, () -> {});
    assertThat(current.poll(10)).isEmpty();

    feed.restartAt(5); // the log went on from 5 without this reader: nothing lost for `current`
    feed.append(change(6));
    ChangeCursor stale = feed.openAfter(5, () -> {});
    feed.restartAt(9); // revisions 7-9 were trimmed before this reader read them
    feed.append(change(10));

    assertThat(woken.get()).as("waiting cursors are woken by a restart").isPositive();
    assertThatThrownBy(() -> behind.poll(10))
        .isInstanceOf(RevisionCompactedException.class)
        .satisfies(e -> assertThat(((RevisionCompactedException) e).compacted()).isEqualTo(9));
    assertThatThrownBy(() -> current.poll(10)).as("it had read 5, not 9").isInstanceOf(RevisionCompactedException.class);
    assertThatThrownBy(() -> stale.poll(10)).isInstanceOf(RevisionCompactedException.class);
    assertThat(feed.openAfter(9, () -> {}).poll(10)).containsExactly(change(10));
    assertThatThrownBy(() -> feed.openAfter(8, () -> {})).isInstanceOf(RevisionCompactedException.class);
  }

  @Test
  @DisplayName("a restart where nothing is missing keeps a current cursor going without a repeat")
  void restartWithoutLoss() {
    RestartableFeed feed = new RestartableFeed(100, 0);
    feed.append(change(1));
    ChangeCursor cursor = feed.openAfter(0, () -> {});
    assertThat(cursor.poll(10)).containsExactly(change(1));

    feed.restartAt(1);
    feed.append(change(2));

    assertThat(cursor.poll(10)).containsExactly(change(2));
    assertThat(cursor.position()).isEqualTo(2);
  }

  @Test
  @DisplayName("a reset (the log lost changes) fails every open cursor, even a current one")
  void resetFailsEveryCursor() {
    RestartableFeed feed = new RestartableFeed(100, 0);
    feed.append(change(1));
    feed.append(change(2));
    ChangeCursor current = feed.openAfter(2, () -> {});

    feed.reset(2);
    feed.append(change(3));

    assertThatThrownBy(() -> current.poll(10)).isInstanceOf(RevisionCompactedException.class);
    assertThat(feed.openAfter(2, () -> {}).poll(10)).containsExactly(change(3));
  }

  @Test
  @DisplayName("a cursor opened after the reset's revision (its caller listed after the reset) goes on through the reset")
  void cursorOpenedPastTheResetGoesOn() {
    RestartableFeed feed = new RestartableFeed(100, 0);
    feed.append(change(1));
    feed.append(change(2));
    ChangeCursor afterTheReset = feed.openAfter(3, () -> {});

    feed.reset(2);
    feed.append(change(3));
    feed.append(change(4));

    assertThat(afterTheReset.poll(10)).containsExactly(change(4));
  }

  @Test
  @DisplayName("a cursor opened after a revision this server has not read yet starts after that revision, not at the next change")
  void openedAheadOfTheReader() {
    RestartableFeed feed = new RestartableFeed(100, 0);
    feed.append(change(1));
    ChangeCursor cursor = feed.openAfter(3, () -> {});

    feed.append(change(2));
    feed.append(change(3));
    assertThat(cursor.poll(10)).isEmpty();
    feed.append(change(4));

    assertThat(cursor.poll(10)).containsExactly(change(4));
  }
}

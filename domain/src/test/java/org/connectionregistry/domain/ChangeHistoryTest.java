package org.connectionregistry.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@Feature("Watch")
@Story("Change history")
class ChangeHistoryTest {

  private static ClientChange change(long revision) {
    return new ClientChange(
        revision,
        ClientId.of("user_" + revision),
        revision % 2 == 0 ? ConnectionStatus.DISCONNECTED : ConnectionStatus.CONNECTED,
        ChangeReason.HELLO,
        Instant.ofEpochMilli(revision));
  }

  @Test
  @DisplayName("a cursor reads every change after its revision, in order, each once")
  void cursorReadsInOrder() {
    ChangeHistory history = new ChangeHistory(10);
    for (long r = 1; r <= 6; r++) {
      history.append(change(r));
    }
    ChangeCursor cursor = history.openAfter(2, () -> {});

    assertThat(cursor.poll(3)).extracting(ClientChange::revision).containsExactly(3L, 4L, 5L);
    assertThat(cursor.position()).isEqualTo(5);
    assertThat(cursor.poll(3)).extracting(ClientChange::revision).containsExactly(6L);
    assertThat(cursor.poll(3)).isEmpty();
    assertThat(history.latestRevision()).isEqualTo(6);
  }

  @Test
  @DisplayName("revisions may have gaps; a cursor starts at the first change after its revision")
  void gapsInRevisions() {
    ChangeHistory history = new ChangeHistory(10);
    history.append(change(3));
    history.append(change(7));
    history.append(change(20));

    assertThat(history.openAfter(5, () -> {}).poll(10))
        .extracting(ClientChange::revision)
        .containsExactly(7L, 20L);
    assertThatThrownBy(() -> history.append(change(20)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not follow revision 20");
  }

  @Test
  @DisplayName("a revision older than the window is refused, naming the oldest revision to start after")
  void compactedRevisionIsRefused() {
    ChangeHistory history = new ChangeHistory(3);
    for (long r = 1; r <= 5; r++) {
      history.append(change(r));
    }

    assertThat(history.compactedRevision()).isEqualTo(2);
    assertThatThrownBy(() -> history.openAfter(1, () -> {}))
        .isInstanceOf(RevisionCompactedException.class)
        .hasMessageContaining("Revision 1 is no longer kept")
        .hasMessageContaining("after revision 2");
    assertThat(history.openAfter(2, () -> {}).poll(10))
        .extracting(ClientChange::revision)
        .containsExactly(3L, 4L, 5L);
  }

  @Test
  @DisplayName("a cursor that falls out of the window is told so on its next read, from where it stood")
  void cursorThatFallsBehindIsTold() {
    ChangeHistory history = new ChangeHistory(3);
    history.append(change(1));
    ChangeCursor cursor = history.openAfter(1, () -> {});
    for (long r = 2; r <= 6; r++) {
      history.append(change(r));
    }

    assertThatThrownBy(() -> cursor.poll(10))
        .isInstanceOfSatisfying(
            RevisionCompactedException.class,
            e -> {
              assertThat(e.requested()).isEqualTo(1);
              assertThat(e.compacted()).isEqualTo(3);
            });
  }

  @Test
  @DisplayName("a waiting cursor is woken once for a batch of changes, off the writer's thread; a closed one is not")
  void waitingCursorIsWokenOnce() throws InterruptedException {
    ChangeHistory history = new ChangeHistory(10);
    AtomicInteger wakeups = new AtomicInteger();
    List<String> wakingThreads = new java.util.concurrent.CopyOnWriteArrayList<>();
    ChangeCursor cursor =
        history.openAfter(
            0,
            () -> {
              wakingThreads.add(Thread.currentThread().getName());
              wakeups.incrementAndGet();
            });

    history.append(change(1));
    assertThat(cursor.poll(10)).hasSize(1);
    assertThat(cursor.poll(10)).isEmpty();
    history.append(change(2));
    history.append(change(3));
    awaitValue(wakeups, 1);
    assertThat(cursor.poll(10)).extracting(ClientChange::revision).containsExactly(2L, 3L);
    assertThat(wakingThreads).doesNotContain(Thread.currentThread().getName());

    // A closed cursor stays asleep; an open one, waiting beside it, shows the wake-up happened.
    cursor.poll(10);
    cursor.close();
    AtomicInteger witness = new AtomicInteger();
    ChangeCursor other = history.openAfter(3, witness::incrementAndGet);
    assertThat(other.poll(10)).isEmpty();
    history.append(change(4));
    awaitValue(witness, 1);
    assertThat(wakeups).hasValue(1);
  }

  private static void awaitValue(AtomicInteger value, int expected) throws InterruptedException {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    while (value.get() < expected && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    assertThat(value).hasValue(expected);
  }

  @Test
  @DisplayName("a cursor opened after a revision not reached yet starts after that revision")
  void cursorOpenedAhead() {
    ChangeHistory history = new ChangeHistory(10);
    history.append(change(1));
    ChangeCursor cursor = history.openAfter(3, () -> {});
    history.append(change(2));
    history.append(change(3));
    history.append(change(4));

    assertThat(cursor.poll(10)).extracting(ClientChange::revision).containsExactly(4L);
    assertThat(cursor.position()).isEqualTo(4);
  }

  @Test
  @DisplayName("a store reopened at a revision keeps counting from it")
  void historyThatStartsLater() {
    ChangeHistory history = new ChangeHistory(10, 41);

    assertThat(history.latestRevision()).isEqualTo(41);
    assertThatThrownBy(() -> history.openAfter(40, () -> {}))
        .isInstanceOf(RevisionCompactedException.class);
    ChangeCursor cursor = history.openAfter(41, () -> {});
    history.append(change(42));
    assertThat(cursor.poll(10)).extracting(ClientChange::revision).containsExactly(42L);
  }

  @Test
  @DisplayName("readers on other threads see every change exactly once while one writer appends")
  void concurrentReadersSeeEveryChange() throws Exception {
    ChangeHistory history = new ChangeHistory(200_000);
    int total = 100_000;
    int readers = 3;
    List<List<Long>> seen = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < readers; i++) {
      List<Long> mine = new ArrayList<>();
      seen.add(mine);
      ChangeCursor cursor = history.openAfter(0, () -> {});
      Thread reader =
          new Thread(
              () -> {
                while (mine.size() < total) {
                  for (ClientChange c : cursor.poll(500)) {
                    mine.add(c.revision());
                  }
                  Thread.onSpinWait();
                }
              });
      reader.start();
      threads.add(reader);
    }
    for (long r = 1; r <= total; r++) {
      history.append(change(r));
    }
    for (Thread thread : threads) {
      thread.join(60_000);
    }

    for (List<Long> mine : seen) {
      assertThat(mine).hasSize(total);
      for (int i = 0; i < total; i++) {
        assertThat(mine.get(i)).isEqualTo(i + 1L);
      }
    }
  }
}

package org.connectionregistry.adapter.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The batching rule itself, with a sender that answers when the test says so. */
@Feature("Storage")
@Story("Redis store")
@DisplayName("Write batching: what goes out together, in which order, and what a failure does")
class WriteBatcherTest {

  /** A sender that records the batches it was given and answers them later, by hand. */
  private static final class HeldSender implements WriteBatcher.Sender<Integer, String> {
    final List<List<Integer>> batches = new ArrayList<>();
    final List<CompletableFuture<WriteBatcher.Answers<String>>> pending = new ArrayList<>();

    @Override
    public synchronized CompletionStage<WriteBatcher.Answers<String>> send(List<Integer> changes) {
      batches.add(List.copyOf(changes));
      CompletableFuture<WriteBatcher.Answers<String>> done = new CompletableFuture<>();
      pending.add(done);
      return done;
    }

    /** Answers batch {@code index}: each change with "ok N". */
    void answer(int index) {
      List<Integer> batch;
      CompletableFuture<WriteBatcher.Answers<String>> done;
      synchronized (this) {
        batch = batches.get(index);
        done = pending.get(index);
      }
      done.complete(WriteBatcher.Answers.all(batch.stream().map(n -> "ok " + n).toList()));
    }

    synchronized int sent() {
      return batches.size();
    }
  }

  @Test
  @Story("Redis store")
  @DisplayName("a lone call is sent at once; calls made while a batch is on its way go out together, in call order, when it answers")
  void callsGatherBehindTheBatchOnItsWay() throws Exception {
    HeldSender sender = new HeldSender();
    WriteBatcher<Integer, String> batcher = new WriteBatcher<>(512, 1, sender, IllegalStateException::new);

    CompletableFuture<String> first = batcher.submit(0).toCompletableFuture();
    assertThat(sender.sent()).as("sent without waiting for company").isEqualTo(1);
    List<CompletableFuture<String>> later = new ArrayList<>();
    for (int i = 1; i <= 100; i++) {
      later.add(batcher.submit(i).toCompletableFuture());
    }
    assertThat(sender.sent()).as("one batch on its way at a time").isEqualTo(1);
    assertThat(batcher.queued()).isEqualTo(100);

    sender.answer(0);

    assertThat(first.get(1, TimeUnit.SECONDS)).isEqualTo("ok 0");
    assertThat(sender.batches).hasSize(2);
    assertThat(sender.batches.get(1)).hasSize(100).isSorted();
    sender.answer(1);
    for (int i = 0; i < later.size(); i++) {
      assertThat(later.get(i).get(1, TimeUnit.SECONDS)).isEqualTo("ok " + (i + 1));
    }
  }

  @Test
  @Story("Redis store")
  @DisplayName("no batch holds more than the bound; the rest follow in order in the next ones")
  void batchesAreBounded() {
    HeldSender sender = new HeldSender();
    WriteBatcher<Integer, String> batcher = new WriteBatcher<>(512, 1, sender, IllegalStateException::new);
    batcher.submit(-1);
    for (int i = 0; i < 1_200; i++) {
      batcher.submit(i);
    }
    for (int b = 0; b < 4; b++) {
      sender.answer(b);
    }

    assertThat(sender.batches).extracting(List::size).containsExactly(1, 512, 512, 176);
    List<Integer> all = new ArrayList<>();
    sender.batches.forEach(all::addAll);
    assertThat(all.subList(1, all.size())).isSorted().hasSize(1_200);
  }

  @Test
  @Story("Redis store")
  @DisplayName("with several threads calling at once, the sender sees each thread's calls in the order that thread made them, each once")
  void everyThreadKeepsItsOrder() throws Exception {
    ConcurrentLinkedQueue<Integer> seen = new ConcurrentLinkedQueue<>();
    WriteBatcher.Sender<Integer, String> sender =
        changes -> {
          seen.addAll(changes);
          // answered on another thread, later, as Redis's replies are
          return CompletableFuture.supplyAsync(
              () -> WriteBatcher.Answers.all(changes.stream().map(n -> "ok " + n).toList()));
        };
    WriteBatcher<Integer, String> batcher = new WriteBatcher<>(64, 2, sender, IllegalStateException::new);
    ExecutorService threads = Executors.newFixedThreadPool(4);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<List<CompletableFuture<String>>>> sent = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int thread = t;
      sent.add(threads.submit(() -> {
        go.await();
        List<CompletableFuture<String>> mine = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
          mine.add(batcher.submit(thread * 100_000 + i).toCompletableFuture());
        }
        return mine;
      }));
    }
    go.countDown();
    List<CompletableFuture<String>> all = new ArrayList<>();
    for (Future<List<CompletableFuture<String>>> thread : sent) {
      all.addAll(thread.get(30, TimeUnit.SECONDS));
    }
    threads.shutdown();
    for (CompletableFuture<String> call : all) {
      assertThat(call.get(10, TimeUnit.SECONDS)).startsWith("ok ");
    }

    assertThat(seen).hasSize(20_000).doesNotHaveDuplicates();
    for (int t = 0; t < 4; t++) {
      int thread = t;
      assertThat(seen.stream().filter(n -> n / 100_000 == thread).toList()).isSorted();
    }
  }

  @Test
  @Story("Redis store")
  @DisplayName("a failed batch fails its calls and those queued behind it with the same error; the next call is sent afresh")
  void aFailureFailsTheQueueAndThenRecovers() throws Exception {
    HeldSender sender = new HeldSender();
    WriteBatcher<Integer, String> batcher = new WriteBatcher<>(512, 1, sender, IllegalStateException::new);
    CompletableFuture<String> inBatch = batcher.submit(1).toCompletableFuture();
    CompletableFuture<String> queued = batcher.submit(2).toCompletableFuture();

    sender.pending.get(0).completeExceptionally(new IllegalArgumentException("store is unavailable: gone"));

    assertThatThrownBy(inBatch::get).isInstanceOf(ExecutionException.class).hasRootCauseMessage("store is unavailable: gone");
    assertThatThrownBy(queued::get).isInstanceOf(ExecutionException.class).hasRootCauseMessage("store is unavailable: gone");
    assertThat(sender.sent()).as("nothing left to send").isEqualTo(1);

    CompletableFuture<String> after = batcher.submit(3).toCompletableFuture();
    sender.answer(1);
    assertThat(after.get(1, TimeUnit.SECONDS)).isEqualTo("ok 3");
  }

  @Test
  @Story("Redis store")
  @DisplayName("when the store stops at a change, the changes before it get their answers and the rest fail with the store's error")
  void aBatchStoppedHalfwayAnswersWhatWasDone() throws Exception {
    HeldSender sender = new HeldSender();
    WriteBatcher<Integer, String> batcher = new WriteBatcher<>(512, 1, sender, IllegalStateException::new);
    batcher.submit(0);
    List<CompletableFuture<String>> calls = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      calls.add(batcher.submit(i).toCompletableFuture());
    }
    sender.answer(0);

    sender.pending.get(1).complete(
        new WriteBatcher.Answers<>(List.of("ok 1", "ok 2"), new IllegalStateException("WRONGTYPE at 3")));

    assertThat(calls.get(0).get()).isEqualTo("ok 1");
    assertThat(calls.get(1).get()).isEqualTo("ok 2");
    assertThatThrownBy(() -> calls.get(2).get()).hasRootCauseMessage("WRONGTYPE at 3");
    assertThatThrownBy(() -> calls.get(3).get()).hasRootCauseMessage("WRONGTYPE at 3");
  }

  @Test
  @Story("Redis store")
  @DisplayName("closing fails every queued call and every later one with the closed error")
  void closeFailsWhatIsQueued() {
    HeldSender sender = new HeldSender();
    WriteBatcher<Integer, String> batcher =
        new WriteBatcher<>(512, 1, sender, () -> new IllegalStateException("store is closed"));
    batcher.submit(1);
    CompletableFuture<String> queued = batcher.submit(2).toCompletableFuture();

    batcher.close();

    assertThatThrownBy(queued::get).hasRootCauseMessage("store is closed");
    assertThatThrownBy(() -> batcher.submit(3).toCompletableFuture().get()).hasRootCauseMessage("store is closed");
    assertThat(sender.sent()).isEqualTo(1);
  }
}

package org.connectionregistry.adapter.store.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.connectionregistry.domain.Stages;

/**
 * Smart batching of writes: calls queue their change, and while fewer than {@code maxInFlight}
 * batches are on their way, whatever is queued goes out as one batch (at most {@code maxBatch}
 * changes); when a batch answers, the next one takes everything queued meanwhile. A lone call
 * under light load is sent at once: no timer, nothing waits for company. Under load the batches
 * grow by themselves to what arrived during one round trip.
 *
 * <p><b>Order.</b> One FIFO queue, and batches are taken from it and handed to the sender under
 * one lock, so the sender (one connection, which keeps its commands' order) sees the changes in
 * the order they were submitted.
 *
 * <p><b>Failure.</b> A batch that fails fails every call in it and every call queued at that
 * moment, with the sender's error: they would have gone to the same store, and this bounds a
 * queued call's wait to one batch's timeout. Calls submitted later start afresh, so the batcher
 * works again as soon as the store does.
 *
 * @param <C> a change
 * @param <R> the answer to one change
 */
final class WriteBatcher<C, R> {

  /** Sends one batch; its stage completes with the answers, in the order of the changes. */
  interface Sender<C, R> {
    CompletionStage<Answers<R>> send(List<C> changes);
  }

  /**
   * The answers to a batch's first changes, in order; should there be fewer answers than changes
   * (the store stopped at one), the rest fail with {@code failure}.
   */
  record Answers<R>(List<R> answered, RuntimeException failure) {

    static <R> Answers<R> all(List<R> answered) {
      return new Answers<>(answered, null);
    }
  }

  private static final class Queued<C, R> {
    final C change;
    final CompletableFuture<R> answer = new CompletableFuture<>();

    Queued(C change) {
      this.change = change;
    }
  }

  private final int maxBatch;
  private final int maxInFlight;
  private final Sender<C, R> sender;
  private final Supplier<? extends RuntimeException> closedError;
  private final Queue<Queued<C, R>> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Object sending = new Object();
  private volatile boolean closed;

  /**
   * @param closedError the error of a call submitted or still queued once {@link #close} is called
   */
  WriteBatcher(
      int maxBatch, int maxInFlight, Sender<C, R> sender, Supplier<? extends RuntimeException> closedError) {
    if (maxBatch < 1 || maxInFlight < 1) {
      throw new IllegalArgumentException("batch size and batches in flight must be positive");
    }
    this.maxBatch = maxBatch;
    this.maxInFlight = maxInFlight;
    this.sender = sender;
    this.closedError = closedError;
  }

  /** Queues {@code change}; the stage completes with its answer, or fails as its batch did. */
  CompletionStage<R> submit(C change) {
    if (closed) {
      return Stages.failed(closedError.get());
    }
    Queued<C, R> queued = new Queued<>(change);
    queue.add(queued);
    if (closed) {
      failQueued(closedError.get()); // close() may have emptied the queue before this add
    } else {
      drain();
    }
    return queued.answer;
  }

  /** Fails every queued call and every later one with the closed error; batches on their way end as their sender's stage does. */
  void close() {
    closed = true;
    failQueued(closedError.get());
  }

  private void drain() {
    while (!closed && !queue.isEmpty()) {
      int sent = inFlight.get();
      if (sent >= maxInFlight) {
        return; // the batch on its way sends the next one when it answers
      }
      if (!inFlight.compareAndSet(sent, sent + 1)) {
        continue;
      }
      List<Queued<C, R>> batch = new ArrayList<>(Math.min(maxBatch, 64));
      CompletionStage<Answers<R>> answers = null;
      synchronized (sending) {
        for (Queued<C, R> next; batch.size() < maxBatch && (next = queue.poll()) != null; ) {
          batch.add(next);
        }
        if (!batch.isEmpty()) {
          answers = send(batch);
        }
      }
      if (answers == null) {
        inFlight.decrementAndGet(); // another thread took what was queued; look again
        continue;
      }
      answers.whenComplete((replies, failure) -> answered(batch, replies, failure));
    }
  }

  private CompletionStage<Answers<R>> send(List<Queued<C, R>> batch) {
    List<C> changes = new ArrayList<>(batch.size());
    for (Queued<C, R> queued : batch) {
      changes.add(queued.change);
    }
    try {
      return sender.send(changes);
    } catch (RuntimeException e) {
      return Stages.failed(e);
    }
  }

  /**
   * A batch answered: the next batch goes out first (everything queued meanwhile), so that the
   * store works on it while this one's calls are answered here.
   */
  private void answered(List<Queued<C, R>> batch, Answers<R> replies, Throwable failure) {
    inFlight.decrementAndGet();
    if (failure != null) {
      Throwable cause = Stages.cause(failure);
      failQueued(cause);
      drain();
      for (Queued<C, R> queued : batch) {
        queued.answer.completeExceptionally(cause);
      }
      return;
    }
    drain();
    List<R> answered = replies.answered();
    int done = Math.min(answered.size(), batch.size());
    for (int i = 0; i < done; i++) {
      batch.get(i).answer.complete(answered.get(i));
    }
    if (done < batch.size()) {
      RuntimeException rest =
          replies.failure() != null
              ? replies.failure()
              : new IllegalStateException("a batch of " + batch.size() + " changes got " + done + " answers");
      for (int i = done; i < batch.size(); i++) {
        batch.get(i).answer.completeExceptionally(rest);
      }
    }
  }

  private void failQueued(Throwable cause) {
    for (Queued<C, R> queued; (queued = queue.poll()) != null; ) {
      queued.answer.completeExceptionally(cause);
    }
  }

  /** Changes queued and not yet sent (for tests and diagnostics). */
  int queued() {
    return queue.size();
  }
}

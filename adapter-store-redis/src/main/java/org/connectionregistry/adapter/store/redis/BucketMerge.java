package org.connectionregistry.adapter.store.redis;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientId;

/**
 * One page of a listing over several buckets: each bucket is sorted on its own, and the page is
 * their merge in client-ID order. Every bucket is read a chunk at a time after the page's start;
 * the smallest head among the buckets goes into the page, but only while every bucket that may
 * hold more has a head to compare, so a bucket whose chunk runs out is read on (all such buckets
 * at once) before the merge goes on. The page is full, or every bucket is exhausted: the paging
 * rule holds however the clients are spread.
 *
 * <p>Used by one page at a time; its steps run one after another (the next step starts when every
 * read of the one before has come back), so it needs no locking.
 */
final class BucketMerge {

  /** Reads up to {@code limit} clients of one bucket after {@code after} (exclusive). */
  interface BucketReader {
    CompletionStage<List<ClientConnection>> read(int bucket, Optional<ClientId> after, int limit);
  }

  private final BucketReader reader;
  private final int limit;
  private final int chunk;
  private final List<ArrayDeque<ClientConnection>> heads = new ArrayList<>();
  private final List<Optional<ClientId>> readAfter = new ArrayList<>();
  private final boolean[] exhausted;
  private final List<ClientConnection> page;
  private final CompletableFuture<List<ClientConnection>> done = new CompletableFuture<>();

  private BucketMerge(BucketReader reader, int buckets, Optional<ClientId> after, int limit) {
    this.reader = reader;
    this.limit = limit;
    // Clients spread evenly over the buckets, so a bucket's share of a page is about
    // limit / buckets; twice that (and at least 16) rarely needs a second read.
    this.chunk = buckets == 1 ? limit : (int) Math.min(limit, Math.max(16, 2L * limit / buckets));
    this.exhausted = new boolean[buckets];
    for (int b = 0; b < buckets; b++) {
      heads.add(new ArrayDeque<>());
      readAfter.add(after);
    }
    this.page = new ArrayList<>(Math.min(limit, 4096));
  }

  static CompletionStage<List<ClientConnection>> page(
      BucketReader reader, int buckets, Optional<ClientId> after, int limit) {
    BucketMerge merge = new BucketMerge(reader, buckets, after, limit);
    merge.readEmptyBuckets();
    return merge.done;
  }

  /** Reads on every bucket that has no head but may hold more, then merges. */
  private void readEmptyBuckets() {
    List<Integer> toRead = new ArrayList<>();
    for (int b = 0; b < exhausted.length; b++) {
      if (!exhausted[b] && heads.get(b).isEmpty()) {
        toRead.add(b);
      }
    }
    if (toRead.isEmpty()) {
      merge();
      return;
    }
    AtomicInteger pending = new AtomicInteger(toRead.size());
    for (int bucket : toRead) {
      CompletionStage<List<ClientConnection>> read;
      try {
        read = reader.read(bucket, readAfter.get(bucket), chunk);
      } catch (RuntimeException e) {
        done.completeExceptionally(e);
        return;
      }
      read.whenComplete(
          (clients, failure) -> {
            if (failure != null) {
              done.completeExceptionally(failure);
            } else {
              synchronized (this) {
                heads.get(bucket).addAll(clients);
                if (clients.size() < chunk) {
                  exhausted[bucket] = true;
                } else {
                  readAfter.set(bucket, Optional.of(clients.get(clients.size() - 1).clientId()));
                }
              }
            }
            if (pending.decrementAndGet() == 0 && !done.isDone()) {
              synchronized (this) {
                merge();
              }
            }
          });
    }
  }

  private void merge() {
    while (page.size() < limit) {
      int smallest = -1;
      for (int b = 0; b < exhausted.length; b++) {
        ClientConnection head = heads.get(b).peekFirst();
        if (head == null) {
          if (!exhausted[b]) {
            readEmptyBuckets(); // this bucket may hold the next client: read it first
            return;
          }
          continue;
        }
        if (smallest < 0
            || head.clientId().compareTo(heads.get(smallest).peekFirst().clientId()) < 0) {
          smallest = b;
        }
      }
      if (smallest < 0) {
        break; // every bucket exhausted
      }
      page.add(heads.get(smallest).pollFirst());
    }
    done.complete(page);
  }
}

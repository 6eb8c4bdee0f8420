package org.connectionregistry.benchmarks.load;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.connectionregistry.proto.ClientServiceGrpc;
import org.connectionregistry.proto.ClientServiceGrpc.ClientServiceStub;
import org.connectionregistry.proto.ClientStatusRequest;
import org.connectionregistry.proto.MessageRequest;
import org.connectionregistry.proto.MessageResponse;

/**
 * Drives one RPC in a closed loop: {@code concurrency} workers, each with exactly one call in
 * flight, issuing its next call as soon as the previous one completes. Workers share the channels
 * round-robin. Latency is recorded from the moment a call is issued to its completion.
 */
public final class LoadRun {

  /** Latencies above this are clamped; a minute means the run is broken anyway. */
  private static final long MAX_TRACKED_NANOS = TimeUnit.MINUTES.toNanos(1);

  /** A failing call is retried after this pause, so a server that is down is not spun against. */
  private static final long RETRY_PAUSE_MILLIS = 1;

  private final LoadSettings settings;
  private final Recorder recorder = new Recorder(MAX_TRACKED_NANOS, 3);
  private final LongAdder errors = new LongAdder();
  private final AtomicReference<String> firstError = new AtomicReference<>();
  private final CountDownLatch workersStopped;
  private volatile boolean running = true;

  private LoadRun(LoadSettings settings) {
    this.settings = settings;
    this.workersStopped = new CountDownLatch(settings.concurrency());
  }

  /** Runs the load and returns what it measured; channels are closed when this returns. */
  public static LoadResult run(LoadSettings settings) throws InterruptedException {
    return new LoadRun(settings).execute();
  }

  private LoadResult execute() throws InterruptedException {
    List<ManagedChannel> channels = new ArrayList<>();
    ScheduledExecutorService retries =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "load-retries");
              thread.setDaemon(true);
              return thread;
            });
    try {
      for (int i = 0; i < settings.effectiveChannels(); i++) {
        // Callbacks run on the event loop: the client should cost as little CPU as it can.
        channels.add(
            NettyChannelBuilder.forAddress(settings.host(), settings.port())
                .usePlaintext()
                .directExecutor()
                .build());
      }
      Requests requests = new Requests(settings.clients());
      if (settings.rpc() == Rpc.STATUS) {
        registerClients(ClientServiceGrpc.newStub(channels.get(0)), requests);
      }
      for (int i = 0; i < settings.concurrency(); i++) {
        ClientServiceStub stub = ClientServiceGrpc.newStub(channels.get(i % channels.size()));
        new Worker(i, stub, requests, retries).issueNext();
      }
      TimeUnit.NANOSECONDS.sleep(settings.warmup().toNanos());
      recorder.getIntervalHistogram(); // discards the warm-up
      errors.reset();
      long start = System.nanoTime();
      TimeUnit.NANOSECONDS.sleep(settings.duration().toNanos());
      Histogram measured = recorder.getIntervalHistogram();
      long measuredNanos = System.nanoTime() - start;
      long measuredErrors = errors.sum();
      running = false;
      workersStopped.await(10, TimeUnit.SECONDS);
      return new LoadResult(
          settings, measured, measuredErrors, measuredNanos, Optional.ofNullable(firstError.get()));
    } finally {
      running = false;
      retries.shutdownNow();
      for (ManagedChannel channel : channels) {
        channel.shutdownNow();
      }
      for (ManagedChannel channel : channels) {
        channel.awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  /** A status run asks about clients that exist, as the full server answers NOT_FOUND otherwise. */
  private static void registerClients(ClientServiceStub stub, Requests requests)
      throws InterruptedException {
    Semaphore inFlight = new Semaphore(64);
    CountDownLatch done = new CountDownLatch(requests.hellos.length);
    AtomicReference<Status> failure = new AtomicReference<>();
    for (MessageRequest hello : requests.hellos) {
      inFlight.acquire();
      stub.sendMessage(
          hello,
          new StreamObserver<>() {
            @Override
            public void onNext(MessageResponse response) {}

            @Override
            public void onError(Throwable error) {
              failure.compareAndSet(null, Status.fromThrowable(error));
              finish();
            }

            @Override
            public void onCompleted() {
              finish();
            }

            private void finish() {
              inFlight.release();
              done.countDown();
            }
          });
    }
    if (!done.await(1, TimeUnit.MINUTES)) {
      throw new IllegalStateException(
          "Could not register the clients before the status run: no answer within a minute");
    }
    if (failure.get() != null) {
      throw new IllegalStateException(
          "Could not register the clients before the status run: " + describe(failure.get()));
    }
  }

  private static String describe(Status status) {
    return status.getCode()
        + (status.getDescription() == null ? "" : ": " + status.getDescription());
  }

  /** Built once, so that the load generator measures the server and not its own allocation. */
  private static final class Requests {
    final MessageRequest[] hellos;
    final MessageRequest[] sends;
    final ClientStatusRequest[] statuses;

    Requests(int clients) {
      hellos = new MessageRequest[clients];
      sends = new MessageRequest[clients * 2];
      statuses = new ClientStatusRequest[clients];
      for (int i = 0; i < clients; i++) {
        String id = String.format("user_%07d", i + 1);
        hellos[i] = MessageRequest.newBuilder().setClientId(id).setMessage("Hello").build();
        sends[2 * i] = hellos[i];
        sends[2 * i + 1] =
            MessageRequest.newBuilder().setClientId(id).setMessage("Goodbye").build();
        statuses[i] = ClientStatusRequest.newBuilder().setClientId(id).build();
      }
    }
  }

  /** One call in flight at a time; each worker walks the requests from its own offset. */
  private final class Worker {
    private final ClientServiceStub stub;
    private final Requests requests;
    private final ScheduledExecutorService retries;
    private int next;

    Worker(int index, ClientServiceStub stub, Requests requests, ScheduledExecutorService retries) {
      this.stub = stub;
      this.requests = requests;
      this.retries = retries;
      int length = settings.rpc() == Rpc.SEND ? requests.sends.length : requests.statuses.length;
      this.next = (int) ((long) index * length / settings.concurrency());
    }

    void issueNext() {
      if (!running) {
        workersStopped.countDown();
        return;
      }
      long start = System.nanoTime();
      if (settings.rpc() == Rpc.SEND) {
        MessageRequest request = requests.sends[next];
        next = next + 1 == requests.sends.length ? 0 : next + 1;
        stub.sendMessage(request, new Completion<>(start));
      } else {
        ClientStatusRequest request = requests.statuses[next];
        next = next + 1 == requests.statuses.length ? 0 : next + 1;
        stub.getClientStatus(request, new Completion<>(start));
      }
    }

    private final class Completion<T> implements StreamObserver<T> {
      private final long start;

      Completion(long start) {
        this.start = start;
      }

      @Override
      public void onNext(T response) {}

      @Override
      public void onError(Throwable error) {
        errors.increment();
        firstError.compareAndSet(null, describe(Status.fromThrowable(error)));
        try {
          retries.schedule(Worker.this::issueNext, RETRY_PAUSE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
          workersStopped.countDown();
        }
      }

      @Override
      public void onCompleted() {
        recorder.recordValue(Math.min(System.nanoTime() - start, MAX_TRACKED_NANOS));
        issueNext();
      }
    }
  }
}

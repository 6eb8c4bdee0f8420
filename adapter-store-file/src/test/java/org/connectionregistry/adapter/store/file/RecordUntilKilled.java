package org.connectionregistry.adapter.store.file;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.connectionregistry.domain.ChangeHistory;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.Stages;

/**
 * Run in a child process by the crash tests: opens the store given as the first argument and
 * records clients without end, printing {@code ack <id> <revision>} once each {@code record} has
 * completed.
 * The test kills it with SIGKILL. The third argument, if given, is how many changes go between two
 * checkpoints (none is taken by time), so that the kill lands between checkpoints and reopening
 * has to replay the changes since the last one from the kept history.
 *
 * <ul>
 *   <li>{@code threads} (the default): {@value #THREADS} threads, each waiting for one record
 *       at a time, clients {@code t<thread>-<n>};
 *   <li>{@code waves}: from one thread, {@value #WAVE} records at once without waiting, clients
 *       {@code w<wave>-<n>}; when a whole wave is acknowledged it prints {@code wave <k> syncs
 *       <s>}, the syncs that wave took, and starts the next;
 *   <li>{@code waves:<n>}: the same, but after {@code n} waves it prints {@code done} and waits
 *       for the kill, recording nothing more.
 * </ul>
 */
public final class RecordUntilKilled {

  static final int THREADS = 4;
  static final int WAVE = 256;

  public static void main(String[] args) throws Exception {
    Checkpoints checkpoints =
        args.length > 2
            ? new Checkpoints(Long.parseLong(args[2]), Duration.ofDays(1))
            : Checkpoints.DEFAULT;
    FileConnectionRegistry registry =
        FileConnectionRegistry.open(
            Path.of(args[0]), ChangeHistory.DEFAULT_CAPACITY, Clock.systemUTC(), checkpoints);
    System.out.println("open");
    System.out.flush();
    String mode = args.length > 1 ? args[1] : "threads";
    if (mode.equals("waves")) {
      waves(registry, Long.MAX_VALUE);
    } else if (mode.startsWith("waves:")) {
      waves(registry, Long.parseLong(mode.substring("waves:".length())));
      print("done");
      Thread.sleep(Long.MAX_VALUE);
    } else {
      threads(registry);
    }
  }

  private static void threads(FileConnectionRegistry registry) throws InterruptedException {
    List<Thread> writers = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int thread = t;
      Thread writer = new Thread(() -> {
        for (long n = 0; ; n++) {
          ClientId id = ClientId.of("t" + thread + "-" + n);
          ClientConnection entry = Stages.await(registry.record(id, status(n)));
          print("ack " + id.value() + " " + entry.revision());
        }
      });
      writers.add(writer);
      writer.start();
    }
    for (Thread writer : writers) {
      writer.join();
    }
  }

  private static void waves(FileConnectionRegistry registry, long waves) {
    for (long wave = 0; wave < waves; wave++) {
      long syncsBefore = registry.syncs();
      List<CompletableFuture<Void>> acks = new ArrayList<>();
      for (int n = 0; n < WAVE; n++) {
        ClientId id = ClientId.of("w" + wave + "-" + n);
        acks.add(
            registry.record(id, status(n)).toCompletableFuture()
                .thenAccept(entry -> print("ack " + id.value() + " " + entry.revision())));
      }
      CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();
      print("wave " + wave + " syncs " + (registry.syncs() - syncsBefore));
    }
  }

  static ConnectionStatus status(long n) {
    return n % 2 == 0 ? ConnectionStatus.CONNECTED : ConnectionStatus.DISCONNECTED;
  }

  private static void print(String line) {
    synchronized (System.out) {
      System.out.println(line);
      System.out.flush();
    }
  }

  private RecordUntilKilled() {}
}

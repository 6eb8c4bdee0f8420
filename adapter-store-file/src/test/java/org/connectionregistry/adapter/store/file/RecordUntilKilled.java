package org.connectionregistry.adapter.store.file;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionStatus;

/**
 * Run in a child process by the crash test: opens the store given as the first argument and
 * records clients {@code t<thread>-<n>} from several threads, without end, printing
 * {@code ack <id>} once each {@code record} has returned. The test kills it with SIGKILL.
 */
public final class RecordUntilKilled {

  static final int THREADS = 4;

  public static void main(String[] args) throws Exception {
    FileConnectionRegistry registry = FileConnectionRegistry.open(Path.of(args[0]));
    System.out.println("open");
    System.out.flush();
    List<Thread> writers = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int thread = t;
      Thread writer = new Thread(() -> {
        for (long n = 0; ; n++) {
          ClientId id = ClientId.of("t" + thread + "-" + n);
          registry.record(id, n % 2 == 0 ? ConnectionStatus.CONNECTED : ConnectionStatus.DISCONNECTED);
          synchronized (System.out) {
            System.out.println("ack " + id.value());
            System.out.flush();
          }
        }
      });
      writers.add(writer);
      writer.start();
    }
    for (Thread writer : writers) {
      writer.join();
    }
  }

  private RecordUntilKilled() {}
}

package org.connectionregistry.adapter.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;

/**
 * What the console's long-running modes ({@code present} and {@code watch}) share: each runs
 * until its input ends (lines typed are ignored) or the mode itself says it is over, and prints
 * whole lines, each flushed as it is printed so that scripts read it at once.
 */
final class UntilEndOfInput {

  private final InputStream in;
  private final PrintStream out;
  private final String readerThreadName;
  private final CountDownLatch over = new CountDownLatch(1);

  UntilEndOfInput(InputStream in, PrintStream out, String readerThreadName) {
    this.in = Objects.requireNonNull(in, "in");
    this.out = Objects.requireNonNull(out, "out");
    this.readerThreadName = Objects.requireNonNull(readerThreadName, "readerThreadName");
  }

  /** Reads (and drops) the input on a daemon thread, and waits until it ends or {@link #end()}. */
  void await() {
    Thread reader =
        new Thread(
            () -> {
              try {
                byte[] discard = new byte[256];
                while (in.read(discard) >= 0) {
                  // Lines typed are ignored: only the end of input matters.
                }
              } catch (IOException e) {
                // an input that breaks ends like one that ends
              }
              end();
            },
            readerThreadName);
    reader.setDaemon(true);
    reader.start();
    try {
      over.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Ends the wait of {@link #await()}, before or during it; harmless twice. */
  void end() {
    over.countDown();
  }

  /** Prints one line and flushes it; lines printed from several threads never interleave. */
  synchronized void print(String line) {
    out.println(line);
    out.flush();
  }
}

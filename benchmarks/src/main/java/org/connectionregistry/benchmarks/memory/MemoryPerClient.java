package org.connectionregistry.benchmarks.memory;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.InMemoryConnectionRegistry;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Heap the in-memory registry holds per client: heap used after a full GC with the registry
 * filled, minus heap used after a full GC before it existed, divided by the clients. Everything
 * the registry keeps alive counts (map nodes, index nodes, the ID strings); nothing else does.
 */
@Command(
    name = "memory-per-client",
    mixinStandardHelpOptions = true,
    description = "Fills an InMemoryConnectionRegistry and prints the heap it holds per client.")
public final class MemoryPerClient implements Callable<Integer> {

  static final double TARGET_BYTES_PER_CLIENT = 100;

  @Option(
      names = "--clients",
      defaultValue = "1000000",
      description = "Clients to register (default: ${DEFAULT-VALUE}).")
  int clients;

  @Option(
      names = "--id-format",
      defaultValue = "user_%07d",
      description = "Format of the i-th client ID, from 1 (default: ${DEFAULT-VALUE}).")
  String idFormat;

  @Override
  public Integer call() throws InterruptedException {
    if (clients < 1) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "--clients must be at least 1, got " + clients);
    }
    long before = heapUsedAfterGc();
    InMemoryConnectionRegistry registry = new InMemoryConnectionRegistry();
    for (int i = 1; i <= clients; i++) {
      // A fresh string per client, as each arrives from the wire in its own request.
      ClientId id = new ClientId(String.format(idFormat, i));
      registry.record(id, i % 2 == 0 ? ConnectionStatus.DISCONNECTED : ConnectionStatus.CONNECTED);
    }
    long after = heapUsedAfterGc();
    int registered = registry.size();
    Reference.reachabilityFence(registry);

    double perClient = (after - before) / (double) registered;
    System.out.printf(
        "Registered clients:    %d (e.g. %s)%n", registered, String.format(idFormat, 1));
    System.out.printf("Heap after GC, empty:  %d bytes%n", before);
    System.out.printf("Heap after GC, filled: %d bytes%n", after);
    System.out.printf("Heap per client:       %.1f bytes (target <= %.0f: %s)%n",
        perClient, TARGET_BYTES_PER_CLIENT,
        perClient <= TARGET_BYTES_PER_CLIENT ? "met" : "NOT met");
    System.out.printf("JVM:                   %s %s, max heap %d MiB, GC %s%n",
        System.getProperty("java.vm.name"), System.getProperty("java.version"),
        Runtime.getRuntime().maxMemory() >> 20,
        ManagementFactory.getGarbageCollectorMXBeans().stream()
            .map(GarbageCollectorMXBean::getName).collect(Collectors.joining(", ")));
    return 0;
  }

  /** Heap in use once full collections stop freeing anything. */
  private static long heapUsedAfterGc() throws InterruptedException {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long previous = Long.MAX_VALUE;
    for (int attempt = 0; attempt < 10; attempt++) {
      System.gc();
      Thread.sleep(100);
      long used = memory.getHeapMemoryUsage().getUsed();
      if (attempt >= 2 && Math.abs(previous - used) < 64 * 1024) {
        return used;
      }
      previous = used;
    }
    return previous;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new MemoryPerClient()).execute(args));
  }
}

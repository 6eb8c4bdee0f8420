package org.connectionregistry.benchmarks.load;

import io.grpc.Channel;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.connectionregistry.adapter.console.ConsoleMenu;
import org.connectionregistry.adapter.grpc.client.GrpcConnectionClient;
import org.connectionregistry.application.port.in.ListClientsUseCase;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.proto.ClientServiceGrpc;
import org.connectionregistry.proto.ClientServiceGrpc.ClientServiceBlockingStub;
import org.connectionregistry.proto.ClientStatusRequest;
import org.connectionregistry.proto.ListClientsRequest;
import org.connectionregistry.proto.ListClientsResponse;

/**
 * One way of listing every client of a server, by name; {@code listAll} lists them once and
 * returns how many it was given. The four ways {@link ListingBenchmark} compares are made here.
 */
record ListingMethod(String name, LongSupplier listAll) {

  /** The stream read as bare protobuf: what the wire and the server cost, without our client. */
  static ListingMethod rawStream(Channel channel) {
    return rawStream(channel, Duration.ofSeconds(60));
  }

  /** The same, with the whole listing's deadline: a slow store may need more than a minute. */
  static ListingMethod rawStream(Channel channel, Duration deadline) {
    return new ListingMethod(
        "ListClients, raw stub",
        () -> {
          ClientServiceBlockingStub stub =
              ClientServiceGrpc.newBlockingStub(channel)
                  .withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS);
          Iterator<ListClientsResponse> pages =
              stub.listClients(ListClientsRequest.getDefaultInstance());
          long count = 0;
          while (pages.hasNext()) {
            count += pages.next().getClientsCount();
          }
          return count;
        });
  }

  /**
   * Option 2 with an empty ID, as a user of the console client chooses it: the menu itself prints
   * each page {@link GrpcConnectionClient#forEachClientPage} hands over, one line a client, to a
   * stream like the launcher's (UTF-8, buffered, flushed by the menu) that discards what it is
   * given.
   */
  static ListingMethod consoleMenu(GrpcConnectionClient client) {
    return new ListingMethod(
        "ListClients, console menu",
        () -> {
          CountingListing listing = new CountingListing(client);
          InputStream typed = new ByteArrayInputStream("2\n\n3\n".getBytes(StandardCharsets.UTF_8));
          PrintStream discarded =
              new PrintStream(
                  new BufferedOutputStream(OutputStream.nullOutputStream(), 1 << 16),
                  false,
                  StandardCharsets.UTF_8);
          new ConsoleMenu(client, client, listing, typed, discarded).run();
          return listing.clients;
        });
  }

  /** Every client collected into one list first, as the console did before it printed pages. */
  static ListingMethod collectedList(GrpcConnectionClient client) {
    return new ListingMethod("ListClients, collected list", () -> client.listClients().size());
  }

  /** The original's call: every client in one GetClientStatus("") answer. */
  static ListingMethod legacy(Channel channel) {
    return new ListingMethod(
        "GetClientStatus(\"\"), legacy",
        () ->
            ClientServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(60, TimeUnit.SECONDS)
                .getClientStatus(ClientStatusRequest.getDefaultInstance())
                .getStatusesCount());
  }

  /** Passes the pages on to the menu, counting their clients. */
  private static final class CountingListing implements ListClientsUseCase {
    private final ListClientsUseCase listing;
    long clients;

    CountingListing(ListClientsUseCase listing) {
      this.listing = listing;
    }

    @Override
    public List<ClientConnection> listClients() {
      List<ClientConnection> all = listing.listClients();
      clients += all.size();
      return all;
    }

    @Override
    public void forEachClientPage(Consumer<? super List<ClientConnection>> pages) {
      listing.forEachClientPage(
          page -> {
            clients += page.size();
            pages.accept(page);
          });
    }
  }
}

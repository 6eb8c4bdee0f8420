package org.connectionregistry.adapter.grpc.client;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.connectionregistry.application.port.in.RemoteCallFailedException;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientId;

/**
 * The one rule for the order a server lists clients in: strictly ascending client IDs, within a
 * page and from one page to the next. Where the whole list is still in hand it is forgiven, by
 * sorting; where pages have already been handed on, it is enforced. And the page that starts
 * after a given client is cut from a sorted list by the same order.
 */
final class ClientIdOrder {

  private static final Comparator<ClientConnection> BY_CLIENT_ID =
      Comparator.comparing(ClientConnection::clientId);

  private ClientIdOrder() {}

  /** Below zero if {@code earlier} may come before {@code later}; zero if they are the same. */
  private static int order(ClientConnection earlier, ClientConnection later) {
    return BY_CLIENT_ID.compare(earlier, later);
  }

  /** Sorts {@code clients} by client ID, unless they already are (the usual case; one pass). */
  static void sortIfNeeded(List<ClientConnection> clients) {
    for (int i = 1; i < clients.size(); i++) {
      if (order(clients.get(i - 1), clients.get(i)) >= 0) {
        clients.sort(BY_CLIENT_ID);
        return;
      }
    }
  }

  /**
   * Up to {@code limit} of the sorted {@code clients}, starting after {@code after}: the page the
   * port's {@code listClientsPage} promises, out of a list that may hold more.
   */
  static List<ClientConnection> pageOf(
      List<ClientConnection> clients, Optional<ClientId> after, int limit) {
    int from = 0;
    while (after.isPresent()
        && from < clients.size()
        && clients.get(from).clientId().compareTo(after.get()) <= 0) {
      from++;
    }
    int to = (int) Math.min(clients.size(), (long) from + limit);
    return from == 0 && to == clients.size() ? clients : List.copyOf(clients.subList(from, to));
  }

  /**
   * Passes non-empty pages, each in order, on to {@code pages} while each starts after the last
   * client of the one before; otherwise throws, naming the two clients. The pages of one listing
   * come from one thread, one after another.
   */
  static Consumer<List<ClientConnection>> enforced(
      Consumer<? super List<ClientConnection>> pages, String target) {
    return new Consumer<>() {
      private ClientConnection last;

      @Override
      public void accept(List<ClientConnection> page) {
        ClientConnection first = page.get(0);
        if (last != null) {
          int order = order(last, first);
          if (order >= 0) {
            throw new RemoteCallFailedException(
                "Server "
                    + target
                    + " listed client "
                    + first.clientId().value()
                    + (order == 0
                        ? " twice"
                        : " after " + last.clientId().value() + ", out of client-ID order"));
          }
        }
        last = page.get(page.size() - 1);
        pages.accept(page);
      }
    };
  }
}

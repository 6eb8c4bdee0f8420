package org.connectionregistry.adapter.grpc.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.connectionregistry.application.port.in.RemoteCallFailedException;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionMessage;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.InvalidInputException;
import org.connectionregistry.domain.InvalidMessageException;
import org.connectionregistry.proto.ClientStatusResponse;
import org.connectionregistry.proto.ListClientsResponse;
import org.connectionregistry.proto.ListedClient;

/**
 * Reads a server's answers into domain values: ours, the original, or another version's, which
 * may word things a little differently. An answer that breaks the contract is a {@link
 * RemoteCallFailedException} naming the server and what it did.
 */
final class ServerAnswers {

  /** How our server and the original word a change: {@code Client x marked as connected.} */
  private static final Pattern MARKED_AS =
      Pattern.compile("marked as (\\S+?)\\.?\\s*$", Pattern.CASE_INSENSITIVE);

  private final String target;

  ServerAnswers(String target) {
    this.target = target;
  }

  /**
   * The status the accepted message leads to. A server of another version may accept what our
   * rules refuse; then its answer says which status it set.
   */
  ConnectionStatus statusAfter(String message, String info) {
    try {
      return ConnectionMessage.interpret(message).resultingStatus();
    } catch (InvalidMessageException notOurs) {
      Matcher matcher = MARKED_AS.matcher(info);
      if (!matcher.find()) {
        throw broken("accepted the message but did not say the new status: " + info);
      }
      return status(matcher.group(1), null);
    }
  }

  /** The one status GetClientStatus was asked for. */
  ClientConnection statusOf(ClientId clientId, ClientStatusResponse response) {
    String label = response.getStatusesMap().get(clientId.value());
    if (label == null) {
      throw broken("answered without a status for client " + clientId.value());
    }
    return new ClientConnection(clientId, status(label, clientId.value()));
  }

  /** Every client of a GetClientStatus("") answer, sorted by client ID. */
  List<ClientConnection> everyStatus(ClientStatusResponse response) {
    List<ClientConnection> clients = new ArrayList<>(response.getStatusesCount());
    for (Map.Entry<String, String> entry : response.getStatusesMap().entrySet()) {
      clients.add(client(entry.getKey(), entry.getValue()));
    }
    ClientIdOrder.sortIfNeeded(clients);
    return clients;
  }

  /** One page of ListClients, sorted by client ID: our server sends it so, others might not. */
  List<ClientConnection> page(ListClientsResponse page) {
    List<ClientConnection> clients = new ArrayList<>(page.getClientsCount());
    for (ListedClient listed : page.getClientsList()) {
      clients.add(client(listed.getClientId(), listed.getStatus()));
    }
    ClientIdOrder.sortIfNeeded(clients);
    return clients;
  }

  private ClientConnection client(String rawId, String label) {
    return new ClientConnection(foreignClientId(rawId), status(label, rawId));
  }

  /** Our server and the original send the labels exactly; others may vary case or spacing. */
  private ConnectionStatus status(String label, String clientId) {
    try {
      // Both return the label itself when there is nothing to change, so this costs no copy.
      return ConnectionStatus.fromLabel(label.strip().toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw broken(
          "reported the unknown status '"
              + label
              + "'"
              + (clientId == null ? "" : " for client " + clientId));
    }
  }

  /** The original server accepted any client ID; we can show only the ones our rules allow. */
  private ClientId foreignClientId(String value) {
    try {
      return ClientId.of(value);
    } catch (InvalidInputException e) {
      throw broken(
          "lists a client ID this client cannot show ('" + value + "'): " + e.getMessage());
    }
  }

  private RemoteCallFailedException broken(String whatTheServerDid) {
    return new RemoteCallFailedException("Server " + target + " " + whatTheServerDid);
  }
}

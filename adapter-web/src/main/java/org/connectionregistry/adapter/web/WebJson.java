package org.connectionregistry.adapter.web;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.List;
import org.connectionregistry.domain.ClientChange;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientCounts;

/**
 * The JSON the page reads. Client IDs are data, never markup: Gson escapes {@code <}, {@code >},
 * {@code &}, {@code =} and {@code '} as {@code \u003c} and so on, and the page puts them into the
 * document as text only.
 */
final class WebJson {

  private static final Gson GSON = new GsonBuilder().disableJdkUnsafe().create();

  private WebJson() {}

  static JsonObject client(ClientConnection client) {
    JsonObject json = new JsonObject();
    json.addProperty("id", client.clientId().value());
    json.addProperty("status", client.status().label());
    json.addProperty("revision", client.revision());
    client.sinceIfKnown().ifPresent(since -> json.addProperty("since", since.toEpochMilli()));
    return json;
  }

  static JsonObject change(ClientChange change) {
    JsonObject json = client(change.entry());
    json.addProperty("reason", change.reason().label());
    return json;
  }

  static JsonObject counts(ClientCounts counts) {
    JsonObject json = new JsonObject();
    json.addProperty("connected", counts.connected());
    json.addProperty("disconnected", counts.disconnected());
    json.addProperty("total", counts.total());
    json.addProperty("revision", counts.revision());
    return json;
  }

  /**
   * One page of clients, as the page asks for it.
   *
   * @param revision changes after this one may be missing from the page: the page's change
   *     stream starts after it
   * @param more whether more clients (that match the filter) follow the page's last
   */
  static String clientPage(
      long revision, ClientCounts counts, List<ClientConnection> clients, boolean more) {
    JsonObject json = new JsonObject();
    json.addProperty("revision", revision);
    json.add("counts", counts(counts));
    JsonArray rows = new JsonArray(clients.size());
    clients.forEach(client -> rows.add(client(client)));
    json.add("clients", rows);
    json.addProperty("more", more);
    return GSON.toJson(json);
  }

  static String changes(List<ClientChange> changes) {
    JsonArray rows = new JsonArray(changes.size());
    changes.forEach(change -> rows.add(change(change)));
    JsonObject json = new JsonObject();
    json.add("changes", rows);
    return GSON.toJson(json);
  }

  static String revision(long revision) {
    JsonObject json = new JsonObject();
    json.addProperty("revision", revision);
    return GSON.toJson(json);
  }

  static String countsText(ClientCounts counts) {
    return GSON.toJson(counts(counts));
  }

  static String error(String message) {
    JsonObject json = new JsonObject();
    json.addProperty("error", message);
    return GSON.toJson(json);
  }
}

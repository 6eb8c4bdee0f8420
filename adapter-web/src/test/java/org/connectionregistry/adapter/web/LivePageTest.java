package org.connectionregistry.adapter.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.connectionregistry.application.service.ConnectionService;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.InMemoryConnectionRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@Feature("Observability")
@Story("Live page")
@DisplayName("The live page's server: its files, pages of clients, the filter, and the change stream over loopback HTTP")
class LivePageTest {

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private InMemoryConnectionRegistry registry = new InMemoryConnectionRegistry();
  private LivePage page;

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable closeable : toClose) {
      closeable.close();
    }
    if (page != null) {
      page.close();
    }
  }

  private void serve(PageAccess access) throws IOException {
    FeedWatches watches = new FeedWatches(registry);
    page = LivePage.start("127.0.0.1", 0, new ConnectionService(registry), watches, watches, access);
  }

  private void record(String id, ConnectionStatus status) {
    registry.record(ClientId.of(id), status).toCompletableFuture().join();
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + page.port() + path);
  }

  private static JsonObject json(HttpResponse<String> response) {
    return JsonParser.parseString(response.body()).getAsJsonObject();
  }

  private static List<String> ids(JsonObject page) {
    List<String> ids = new ArrayList<>();
    for (JsonElement client : page.getAsJsonArray("clients")) {
      ids.add(client.getAsJsonObject().get("id").getAsString());
    }
    return ids;
  }

  @Test
  @DisplayName("The page, its script and its style are served with a policy that runs only the page's own script")
  void servesThePage() throws Exception {
    serve(PageAccess.ANYONE);
    HttpResponse<String> html = get("/");
    assertThat(html.statusCode()).isEqualTo(200);
    assertThat(html.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
    assertThat(html.headers().firstValue("Content-Security-Policy").orElseThrow())
        .contains("script-src 'self'")
        .doesNotContain("unsafe-inline");
    assertThat(html.body()).contains("<script src=\"live.js\"").contains("id=\"filter\"");
    assertThat(get("/live.js").headers().firstValue("Content-Type")).contains("text/javascript; charset=utf-8");
    assertThat(get("/live.js").body()).contains("textContent");
    assertThat(get("/live.css").statusCode()).isEqualTo(200);
    assertThat(get("/nothing").statusCode()).isEqualTo(404);
  }

  @Test
  @DisplayName("Clients come a page at a time in client-ID order, with status, since, counts and the revision read")
  void pagesOfClients() throws Exception {
    serve(PageAccess.ANYONE);
    record("carol", ConnectionStatus.CONNECTED);
    record("alice", ConnectionStatus.CONNECTED);
    record("bob", ConnectionStatus.DISCONNECTED);

    JsonObject first = json(get("/api/clients?limit=2"));
    assertThat(ids(first)).containsExactly("alice", "bob");
    assertThat(first.get("more").getAsBoolean()).isTrue();
    assertThat(first.get("revision").getAsLong()).isEqualTo(3);
    JsonObject alice = first.getAsJsonArray("clients").get(0).getAsJsonObject();
    assertThat(alice.get("status").getAsString()).isEqualTo("connected");
    assertThat(alice.get("revision").getAsLong()).isEqualTo(2);
    assertThat(alice.get("since").getAsLong()).isPositive();
    JsonObject counts = first.getAsJsonObject("counts");
    assertThat(counts.get("connected").getAsLong()).isEqualTo(2);
    assertThat(counts.get("disconnected").getAsLong()).isEqualTo(1);
    assertThat(counts.get("total").getAsLong()).isEqualTo(3);

    JsonObject second = json(get("/api/clients?limit=2&after=bob"));
    assertThat(ids(second)).containsExactly("carol");
    assertThat(second.get("more").getAsBoolean()).isFalse();
    assertThat(json(get("/api/counts")).get("total").getAsLong()).isEqualTo(3);
  }

  @Test
  @DisplayName("The filter lists exactly the client IDs that start with it, the ID itself first, among 10,000")
  void filterByPrefix() throws Exception {
    serve(PageAccess.ANYONE);
    for (int i = 0; i < 10_000; i++) {
      record("user_" + i, ConnectionStatus.CONNECTED);
    }
    record("user_5000x", ConnectionStatus.DISCONNECTED);

    JsonObject found = json(get("/api/clients?prefix=user_5000"));
    assertThat(ids(found)).containsExactly("user_5000", "user_5000x");
    assertThat(found.get("more").getAsBoolean()).isFalse();

    JsonObject many = json(get("/api/clients?prefix=user_5&limit=5"));
    assertThat(ids(many)).containsExactly("user_5", "user_50", "user_500", "user_5000", "user_5000x");
    assertThat(many.get("more").getAsBoolean()).isTrue();
    JsonObject next = json(get("/api/clients?prefix=user_5&limit=3&after=user_5000x"));
    assertThat(ids(next)).containsExactly("user_5001", "user_5002", "user_5003");

    assertThat(ids(json(get("/api/clients?prefix=nobody")))).isEmpty();
  }

  @Test
  @DisplayName("Bad input is a 400 that says what is wrong, and only GET is served")
  void badInput() throws Exception {
    serve(PageAccess.ANYONE);
    HttpResponse<String> badPrefix = get("/api/clients?prefix=" + URLEncoder.encode("<b>", StandardCharsets.UTF_8));
    assertThat(badPrefix.statusCode()).isEqualTo(400);
    assertThat(json(badPrefix).get("error").getAsString())
        .startsWith("prefix: Client ID must contain only letters, digits and _ - . @");
    assertThat(badPrefix.body()).doesNotContain("<b>");
    assertThat(get("/api/clients?limit=0").statusCode()).isEqualTo(400);
    assertThat(json(get("/api/clients?limit=many")).get("error").getAsString())
        .isEqualTo("limit must be a whole number from 1 to 1000, got 'many'");
    assertThat(get("/api/changes").statusCode()).isEqualTo(400);
    assertThat(get("/api/changes?after=-1").statusCode()).isEqualTo(400);
    HttpResponse<String> post =
        http.send(
            HttpRequest.newBuilder(uri("/api/clients")).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
  }

  @Test
  @DisplayName("A change made between reading the page and opening the stream still reaches the page, then every later one, with counts")
  void streamMissesNothing() throws Exception {
    serve(PageAccess.ANYONE);
    record("alice", ConnectionStatus.CONNECTED);
    long revision = json(get("/api/clients")).get("revision").getAsLong();
    record("bob", ConnectionStatus.CONNECTED); // after the page was read, before the stream

    Events events = open("/api/changes?after=" + revision);
    Event bob = events.next("changes");
    assertThat(bob.id).isEqualTo("2");
    JsonObject change = bob.json().getAsJsonArray("changes").get(0).getAsJsonObject();
    assertThat(change.get("id").getAsString()).isEqualTo("bob");
    assertThat(change.get("status").getAsString()).isEqualTo("connected");
    assertThat(change.get("reason").getAsString()).isEqualTo("hello");
    assertThat(events.next("counts").json().get("connected").getAsLong()).isEqualTo(2);

    record("alice", ConnectionStatus.DISCONNECTED);
    JsonArray later = events.next("changes").json().getAsJsonArray("changes");
    assertThat(later.get(0).getAsJsonObject().get("id").getAsString()).isEqualTo("alice");
    assertThat(later.get(0).getAsJsonObject().get("status").getAsString()).isEqualTo("disconnected");
    assertThat(later.get(0).getAsJsonObject().get("revision").getAsLong()).isEqualTo(3);
    assertThat(page.liveWatchers()).isEqualTo(1);
  }

  @Test
  @DisplayName("A page that reconnects with Last-Event-ID gets exactly the changes after it")
  void resumesAfterLastEventId() throws Exception {
    serve(PageAccess.ANYONE);
    record("a", ConnectionStatus.CONNECTED);
    record("b", ConnectionStatus.CONNECTED);
    record("c", ConnectionStatus.CONNECTED);
    Events events = open("/api/changes?after=0", "Last-Event-ID", "2");
    Event event = events.next("changes");
    assertThat(event.id).isEqualTo("3");
    assertThat(event.json().getAsJsonArray("changes")).hasSize(1);
  }

  @Test
  @DisplayName("A page behind the kept history is told to read its data again (410)")
  void compactedHistory() throws Exception {
    registry = new InMemoryConnectionRegistry(Long.MAX_VALUE, 4, Clock.systemUTC());
    serve(PageAccess.ANYONE);
    for (int i = 0; i < 10; i++) {
      record("client" + i, ConnectionStatus.CONNECTED);
    }
    HttpResponse<String> gone = get("/api/changes?after=1");
    assertThat(gone.statusCode()).isEqualTo(410);
    assertThat(json(gone).get("error").getAsString()).contains("List the clients again");
  }

  @Test
  @DisplayName("When the server requires a token, the data needs one too, while the page's files do not")
  void requiresToken() throws Exception {
    serve(token -> token.equals(Optional.of("good"))
        ? PageAccess.Decision.allowed()
        : token.isEmpty()
            ? PageAccess.Decision.unauthenticated("This server requires callers to authenticate.")
            : PageAccess.Decision.forbidden("This token may not read every client."));
    record("alice", ConnectionStatus.CONNECTED);
    assertThat(get("/").statusCode()).isEqualTo(200);
    HttpResponse<String> none = get("/api/clients");
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("WWW-Authenticate")).contains("Bearer");
    assertThat(json(none).get("error").getAsString()).isEqualTo("This server requires callers to authenticate.");
    assertThat(get("/api/changes?after=0").statusCode()).isEqualTo(401);
    assertThat(get("/api/counts", "Authorization", "Bearer bad").statusCode()).isEqualTo(403);
    HttpResponse<String> good = get("/api/clients", "Authorization", "Bearer good");
    assertThat(good.statusCode()).isEqualTo(200);
    assertThat(ids(json(good))).containsExactly("alice");
  }

  @Test
  @DisplayName("Client IDs reach the page as JSON text with markup characters escaped")
  void idsAreEscaped() throws Exception {
    serve(PageAccess.ANYONE);
    record("a@b.c", ConnectionStatus.CONNECTED);
    HttpResponse<String> response = get("/api/clients");
    assertThat(response.headers().firstValue("Content-Type")).contains("application/json; charset=utf-8");
    assertThat(response.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    assertThat(ids(json(response))).containsExactly("a@b.c");
    assertThat(WebJson.error("<img src=x onerror=alert(1)>")).doesNotContain("<").doesNotContain(">");
  }

  @Test
  @DisplayName("Closed streams are no longer counted as live watchers")
  void watchersAreCounted() throws Exception {
    serve(PageAccess.ANYONE);
    Events first = open("/api/changes?after=0");
    Events second = open("/api/changes?after=0");
    assertThat(page.liveWatchers()).isEqualTo(2);
    first.close();
    second.close();
    // The server notices a page gone at its next write: a change, or the heartbeat.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    int round = 0;
    while (page.liveWatchers() > 0 && System.nanoTime() < deadline) {
      record("poke" + round++, ConnectionStatus.CONNECTED);
      Thread.sleep(50);
    }
    assertThat(page.liveWatchers()).isZero();
  }

  // ---- a minimal Server-Sent Events reader ------------------------------------------------

  private Events open(String path, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path));
    if (headers.length > 0) {
      request.headers(headers);
    }
    HttpResponse<Stream<String>> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofLines());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).contains("text/event-stream; charset=utf-8");
    Events events = new Events(response.body());
    toClose.add(events);
    return events;
  }

  private record Event(String type, String id, String data) {
    JsonObject json() {
      return JsonParser.parseString(data).getAsJsonObject();
    }
  }

  private static final class Events implements AutoCloseable {
    private final BlockingQueue<Event> queue = new LinkedBlockingQueue<>();
    private final Stream<String> lines;
    private final Thread reader;

    Events(Stream<String> lines) {
      this.lines = lines;
      this.reader = new Thread(this::read, "sse-reader");
      reader.setDaemon(true);
      reader.start();
    }

    private void read() {
      String[] current = {null, null, null};
      try {
        lines.forEach(
            line -> {
              if (line.isEmpty()) {
                if (current[2] != null) {
                  queue.add(new Event(current[0], current[1], current[2]));
                }
                current[0] = null;
                current[1] = null;
                current[2] = null;
              } else if (line.startsWith("event: ")) {
                current[0] = line.substring(7);
              } else if (line.startsWith("id: ")) {
                current[1] = line.substring(4);
              } else if (line.startsWith("data: ")) {
                current[2] = line.substring(6);
              }
            });
      } catch (RuntimeException closed) {
        // The test closed the stream.
      }
    }

    Event next(String type) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (true) {
        Event event = queue.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        assertThat(event).as("an event '%s' within 5 s", type).isNotNull();
        if (event.type.equals(type)) {
          return event;
        }
      }
    }

    @Override
    public void close() {
      lines.close();
    }
  }
}

package org.connectionregistry.adapter.web;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.connectionregistry.application.port.in.CountClientsUseCase;
import org.connectionregistry.application.port.in.ListClientsUseCase;
import org.connectionregistry.application.port.in.WatchClientsUseCase;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientCounts;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.InvalidClientIdException;
import org.connectionregistry.domain.RegistryUnavailableException;
import org.connectionregistry.domain.RevisionCompactedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live page of who is online, served over HTTP: one page (HTML, CSS and a script, from this
 * module's resources) and the read-only API behind it.
 *
 * <ul>
 *   <li>{@code GET /api/clients?prefix=P&after=ID&limit=N}: a page of clients in client-ID order,
 *       those whose ID starts with {@code P} (all when it is empty), after {@code ID}; with the
 *       counts and the revision the page is current to ({@code {"revision", "counts", "clients",
 *       "more"}}). The revision is read before the clients, so every change the rows may miss
 *       comes after it.
 *   <li>{@code GET /api/counts}: connected, disconnected and total, at a revision.
 *   <li>{@code GET /api/changes?after=R} (or header {@code Last-Event-ID: R}): every change after
 *       revision {@code R}, as Server-Sent Events ({@link ChangeStream}); {@code 410} if those
 *       changes are no longer kept.
 * </ul>
 *
 * <p>Every API call is checked by {@link PageAccess} ({@code 401} with the reason when a token is
 * needed, {@code 403} when it may not read everyone); bad input is {@code 400} with a message; a
 * store that cannot be reached is {@code 503}. Nothing here changes the registry.
 *
 * <p>Built on the JDK's own HTTP server: the page needs no framework, and the server runs with no
 * dependency beyond the JDK. Requests run on a few threads of their own; each open stream is
 * written by a thread of a separate pool while it has something to write, and holds none while it
 * waits for changes.
 */
public final class LivePage implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LivePage.class);

  /** Rows per page when the page does not say. */
  static final int DEFAULT_LIMIT = 100;

  /** Most rows one call returns. */
  static final int MAX_LIMIT = 1000;

  /** Most change streams open at once; more are refused with 503. */
  static final int MAX_STREAMS = 256;

  /** How often an idle stream writes a comment, so that pages that went away are noticed. */
  static final long HEARTBEAT_SECONDS = 15;

  private static final long STORE_TIMEOUT_SECONDS = 10;

  private static final Map<String, String> FILES =
      Map.of(
          "/", "index.html",
          "/index.html", "index.html",
          "/live.js", "live.js",
          "/live.css", "live.css");

  private final ListClientsUseCase clients;
  private final CountClientsUseCase counts;
  private final WatchClientsUseCase watches;
  private final PageAccess access;
  private final HttpServer server;
  private final ExecutorService requests;
  private final ExecutorService writers;
  private final ScheduledExecutorService heartbeats;
  private final Set<ChangeStream> streams = ConcurrentHashMap.newKeySet();
  private final AtomicInteger streamCount = new AtomicInteger();

  private LivePage(
      ListClientsUseCase clients,
      CountClientsUseCase counts,
      WatchClientsUseCase watches,
      PageAccess access,
      HttpServer server) {
    this.clients = clients;
    this.counts = counts;
    this.watches = watches;
    this.access = access;
    this.server = server;
    this.requests = Executors.newFixedThreadPool(4, daemons("live-page-http"));
    this.writers = Executors.newCachedThreadPool(daemons("live-page-stream"));
    this.heartbeats = Executors.newSingleThreadScheduledExecutor(daemons("live-page-heartbeat"));
  }

  /**
   * Serves the page on {@code host:port} (port 0: any free one).
   *
   * @throws IOException if the port cannot be bound
   */
  public static LivePage start(
      String host,
      int port,
      ListClientsUseCase clients,
      CountClientsUseCase counts,
      WatchClientsUseCase watches,
      PageAccess access)
      throws IOException {
    Objects.requireNonNull(clients, "clients");
    Objects.requireNonNull(counts, "counts");
    Objects.requireNonNull(watches, "watches");
    Objects.requireNonNull(access, "access");
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
    LivePage page = new LivePage(clients, counts, watches, access, server);
    server.setExecutor(page.requests);
    server.createContext("/", page::handle);
    server.start();
    page.heartbeats.scheduleAtFixedRate(
        () -> page.streams.forEach(ChangeStream::heartbeat),
        HEARTBEAT_SECONDS,
        HEARTBEAT_SECONDS,
        TimeUnit.SECONDS);
    return page;
  }

  /** The port the page is served on. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** How many pages are following the registry's changes right now. */
  public int liveWatchers() {
    return streamCount.get();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try {
      if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        respond(exchange, 405, WebJson.error("The live page is read-only: only GET is served."));
        return;
      }
      String path = exchange.getRequestURI().getPath();
      if (FILES.containsKey(path)) {
        serveFile(exchange, FILES.get(path));
        return;
      }
      if (!path.startsWith("/api/")) {
        respond(exchange, 404, WebJson.error("Nothing here: the live page is at /."));
        return;
      }
      PageAccess.Decision decision = access.check(bearerToken(exchange.getRequestHeaders()));
      if (!decision.granted()) {
        if (decision.authenticate()) {
          exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
        }
        respond(exchange, decision.authenticate() ? 401 : 403, WebJson.error(decision.reason()));
        return;
      }
      switch (path) {
        case "/api/clients":
          listClients(exchange);
          break;
        case "/api/counts":
          respond(exchange, 200, WebJson.countsText(await(counts.countClientsAsync())));
          break;
        case "/api/changes":
          openStream(exchange);
          break;
        default:
          respond(exchange, 404, WebJson.error("No such call: " + path));
      }
    } catch (BadRequest e) {
      respond(exchange, 400, WebJson.error(e.getMessage()));
    } catch (RegistryUnavailableException e) {
      respond(exchange, 503, WebJson.error(e.getMessage()));
    } catch (IOException e) {
      exchange.close();
    } catch (RuntimeException e) {
      log.warn("Live page call {} failed", exchange.getRequestURI(), e);
      respond(exchange, 500, WebJson.error("The server failed to answer: " + e));
    } catch (Error e) {
      // Not left hanging: the page sees the connection end and tries again.
      log.error("Live page call {} failed", exchange.getRequestURI(), e);
      exchange.close();
      throw e;
    }
  }

  private void listClients(HttpExchange exchange) throws IOException {
    Map<String, String> query = query(exchange.getRequestURI());
    String prefix = query.getOrDefault("prefix", "").strip();
    if (!prefix.isEmpty()) {
      clientId("prefix", prefix);
    }
    int limit = limit(query.get("limit"));
    Optional<ClientId> after =
        query.containsKey("after") && !query.get("after").isEmpty()
            ? Optional.of(clientId("after", query.get("after")))
            : Optional.empty();
    // Read the revision first: any change the rows below miss comes after it.
    ClientCounts countsBefore = await(counts.countClientsAsync());
    List<ClientConnection> page = new ArrayList<>(limit);
    boolean more = fill(page, prefix, after, limit);
    respond(exchange, 200, WebJson.clientPage(countsBefore.revision(), countsBefore, page, more));
  }

  /**
   * Fills {@code page} with up to {@code limit} clients matching {@code prefix} after {@code
   * after}; whether more follow. The listing starts right below the prefix (see {@link IdsFrom}),
   * skips whatever still sorts below it, and stops at the first client past it.
   */
  private boolean fill(List<ClientConnection> page, String prefix, Optional<ClientId> after, int limit) {
    Optional<ClientId> from = after;
    if (!prefix.isEmpty()) {
      Optional<ClientId> start = IdsFrom.startAt(prefix);
      if (from.isEmpty() || (start.isPresent() && start.get().compareTo(from.get()) > 0)) {
        from = start;
      }
    }
    while (true) {
      List<ClientConnection> batch = await(clients.listClientsPageAsync(from, limit + 1));
      for (ClientConnection client : batch) {
        String id = client.clientId().value();
        if (id.compareTo(prefix) < 0) {
          continue;
        }
        if (!id.startsWith(prefix)) {
          return false;
        }
        if (page.size() == limit) {
          return true;
        }
        page.add(client);
      }
      if (batch.size() < limit + 1) {
        return false;
      }
      from = Optional.of(batch.get(batch.size() - 1).clientId());
    }
  }

  private void openStream(HttpExchange exchange) throws IOException {
    Map<String, String> query = query(exchange.getRequestURI());
    String lastEventId = exchange.getRequestHeaders().getFirst("Last-Event-ID");
    String after = lastEventId != null && !lastEventId.isBlank() ? lastEventId : query.get("after");
    long revision = revision(after);
    if (streamCount.incrementAndGet() > MAX_STREAMS) {
      streamCount.decrementAndGet();
      respond(exchange, 503, WebJson.error("Too many live pages are open; try again later."));
      return;
    }
    ChangeStream stream;
    try {
      stream =
          ChangeStream.open(
              revision,
              watches,
              counts,
              exchange.getResponseBody(),
              writers,
              closed -> {
                if (streams.remove(closed)) {
                  streamCount.decrementAndGet();
                }
              });
    } catch (RevisionCompactedException e) {
      streamCount.decrementAndGet();
      respond(exchange, 410, WebJson.error(e.getMessage()));
      return;
    } catch (RuntimeException e) {
      streamCount.decrementAndGet();
      throw e;
    }
    streams.add(stream);
    Headers headers = exchange.getResponseHeaders();
    headers.set("Content-Type", "text/event-stream; charset=utf-8");
    headers.set("Cache-Control", "no-store");
    headers.set("X-Accel-Buffering", "no");
    // Not to be reused: a browser that leaves the page would otherwise keep the connection to
    // drain the endless body for reuse, and after a few reloads wait for a free connection.
    headers.set("Connection", "close");
    exchange.sendResponseHeaders(200, 0);
    exchange.getResponseBody().flush();
    stream.start();
  }

  private static long revision(String text) {
    if (text == null || text.isBlank()) {
      throw new BadRequest("Say after which revision the changes start: ?after=REVISION");
    }
    try {
      long revision = Long.parseLong(text.strip());
      if (revision < 0) {
        throw new NumberFormatException();
      }
      return revision;
    } catch (NumberFormatException e) {
      throw new BadRequest("A revision is a whole number from 0, got '" + text + "'");
    }
  }

  private static int limit(String text) {
    if (text == null || text.isBlank()) {
      return DEFAULT_LIMIT;
    }
    try {
      int limit = Integer.parseInt(text.strip());
      if (limit >= 1 && limit <= MAX_LIMIT) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // Said below.
    }
    throw new BadRequest("limit must be a whole number from 1 to " + MAX_LIMIT + ", got '" + text + "'");
  }

  private static ClientId clientId(String name, String value) {
    try {
      return ClientId.of(value);
    } catch (InvalidClientIdException e) {
      throw new BadRequest(name + ": " + e.getMessage());
    }
  }

  private static Optional<String> bearerToken(Headers headers) {
    String authorization = headers.getFirst("Authorization");
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    String token = authorization.substring(7).strip();
    return token.isEmpty() ? Optional.empty() : Optional.of(token);
  }

  private static Map<String, String> query(URI uri) {
    Map<String, String> query = new HashMap<>();
    String raw = uri.getRawQuery();
    if (raw == null || raw.isEmpty()) {
      return query;
    }
    for (String pair : raw.split("&")) {
      int equals = pair.indexOf('=');
      String name = equals < 0 ? pair : pair.substring(0, equals);
      String value = equals < 0 ? "" : pair.substring(equals + 1);
      try {
        query.put(
            URLDecoder.decode(name, StandardCharsets.UTF_8),
            URLDecoder.decode(value, StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        throw new BadRequest("The query is not properly percent-encoded: " + pair);
      }
    }
    return query;
  }

  private static <T> T await(java.util.concurrent.CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(STORE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryUnavailableException("Interrupted while reading the registry");
    } catch (TimeoutException e) {
      throw new RegistryUnavailableException(
          "The registry did not answer within " + STORE_TIMEOUT_SECONDS + " seconds");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      throw new IllegalStateException(cause);
    }
  }

  private void serveFile(HttpExchange exchange, String name) throws IOException {
    byte[] body;
    try (InputStream in = LivePage.class.getResourceAsStream("static/" + name)) {
      if (in == null) {
        throw new IllegalStateException("The page's file " + name + " is missing from the jar");
      }
      body = in.readAllBytes();
    }
    Headers headers = exchange.getResponseHeaders();
    headers.set("Content-Type", contentType(name));
    headers.set("Cache-Control", "no-cache");
    headers.set("X-Content-Type-Options", "nosniff");
    headers.set("Referrer-Policy", "no-referrer");
    headers.set("X-Frame-Options", "DENY");
    // Only our own files run: no inline script, nothing from elsewhere.
    headers.set(
        "Content-Security-Policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
            + "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    send(exchange, 200, body);
  }

  private static String contentType(String name) {
    if (name.endsWith(".html")) {
      return "text/html; charset=utf-8";
    }
    if (name.endsWith(".js")) {
      return "text/javascript; charset=utf-8";
    }
    return "text/css; charset=utf-8";
  }

  private static void respond(HttpExchange exchange, int status, String json) throws IOException {
    Headers headers = exchange.getResponseHeaders();
    headers.set("Content-Type", "application/json; charset=utf-8");
    headers.set("Cache-Control", "no-store");
    headers.set("X-Content-Type-Options", "nosniff");
    send(exchange, status, json.getBytes(StandardCharsets.UTF_8));
  }

  private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
    boolean head = "HEAD".equals(exchange.getRequestMethod());
    exchange.sendResponseHeaders(status, head ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      if (!head) {
        out.write(body);
      }
    }
  }

  private static ThreadFactory daemons(String name) {
    AtomicInteger number = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, name + "-" + number.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /** Stops serving: open streams end, and their watches with them. */
  @Override
  public void close() {
    heartbeats.shutdownNow();
    server.stop(0);
    new ArrayList<>(streams).forEach(ChangeStream::close);
    requests.shutdownNow();
    writers.shutdownNow();
  }

  /** Input the page sent that cannot be served: a 400 with this message. */
  private static final class BadRequest extends RuntimeException {
    BadRequest(String message) {
      super(message, null, false, false);
    }
  }
}

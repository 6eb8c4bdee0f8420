package org.connectionregistry.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.qameta.allure.Allure;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.proto.ClientServiceGrpc;
import org.connectionregistry.proto.ClientServiceGrpc.ClientServiceBlockingStub;
import org.connectionregistry.proto.MessageRequest;
import org.connectionregistry.testsupport.FreePort;
import org.connectionregistry.testsupport.ServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;

/**
 * The live page in a real browser (Debian's chromium, headless, driven by Selenium) against the
 * real server process, with changes sent over gRPC as any client sends them. Runs where
 * chromedriver is installed (the {@code browser} profile of bootstrap's pom); CI installs it and
 * checks that this ran.
 */
@Feature("Observability")
@Story("Live page")
@DisplayName("End to end: the live page in a real browser follows the registry as clients come and go")
class LivePageBrowserIT {

  /** The promise: a change is on the open page within a second, without a reload. */
  private static final Duration LIVE = Duration.ofSeconds(1);

  private static final Duration LOAD = Duration.ofSeconds(20);

  @TempDir Path directory;

  private final List<AutoCloseable> open = new ArrayList<>();
  private ManagedChannel channel;

  @AfterEach
  void close() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private ServerProcess serverWithPage(int webPort, String... more) throws Exception {
    List<String> args = new ArrayList<>(List.of("--web-port", String.valueOf(webPort), "--web-host", "127.0.0.1"));
    args.addAll(List.of(more));
    ServerProcess server = Servers.start(args.toArray(String[]::new));
    open.add(server);
    channel = ManagedChannelBuilder.forTarget(server.target()).usePlaintext().build();
    return server;
  }

  private Browser browserAt(int webPort) {
    Browser browser = Allure.step("chromium opens http://127.0.0.1:" + webPort + "/", () -> {
      Browser started = Browser.start();
      open.add(started);
      started.open("http://127.0.0.1:" + webPort + "/");
      return started;
    });
    browser.await(LOAD, driver -> "live".equals(browser.text("live")));
    return browser;
  }

  private ClientServiceBlockingStub stub() {
    return ClientServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  private void send(ClientServiceBlockingStub stub, String clientId, String message) {
    stub.sendMessage(MessageRequest.newBuilder().setClientId(clientId).setMessage(message).build());
  }

  /** Marks the open document, so that a test can tell the page was never reloaded. */
  private static void mark(Browser browser) {
    browser.driver.executeScript("document.documentElement.dataset.testMark = 'kept';");
  }

  private static boolean stillMarked(Browser browser) {
    return "kept".equals(browser.driver.executeScript("return document.documentElement.dataset.testMark;"));
  }

  @Test
  @DisplayName("A Hello sent over gRPC appears on the open page within a second, a Goodbye changes it, and the counts follow, without a reload")
  void helloAppearsAndGoodbyeChangesIt() throws Exception {
    int webPort = FreePort.onLoopback();
    serverWithPage(webPort);
    Browser browser = browserAt(webPort);
    assertThat(browser.rowIds()).isEmpty();
    assertThat(browser.text("position")).isEqualTo("No clients yet");
    mark(browser);

    Allure.step("alice sends Hello over gRPC: her row shows within a second", () -> {
      send(stub(), "alice", "Hello");
      browser.await(LIVE, driver -> browser.statusOf("alice") != null);
    });
    assertThat(browser.statusOf("alice")).matches("connected since \\d\\d:\\d\\d:\\d\\d");
    browser.await(LIVE, driver -> "1".equals(browser.text("connected")));

    Allure.step("alice sends Goodbye: her row says disconnected within a second", () -> {
      send(stub(), "alice", "Goodbye");
      browser.await(LIVE, driver -> {
        String status = browser.statusOf("alice");
        return status != null && status.startsWith("disconnected since ");
      });
    });
    browser.await(LIVE, driver -> "0".equals(browser.text("connected")) && "1".equals(browser.text("disconnected")));
    send(stub(), "bob", "Hello");
    browser.await(LIVE, driver -> browser.rowIds().equals(List.of("alice", "bob")));
    assertThat(stillMarked(browser)).as("the page was never reloaded").isTrue();
  }

  @Test
  @DisplayName("Reloading the page again and again keeps working: a page left behind frees its connection")
  void reloadsKeepWorking() throws Exception {
    int webPort = FreePort.onLoopback();
    serverWithPage(webPort);
    send(stub(), "alice", "Hello");
    Browser browser = browserAt(webPort);
    // A browser keeps at most six connections to one server; a change stream that held its
    // connection after its page was left would stall the seventh load.
    for (int load = 1; load <= 9; load++) {
      browser.driver.get("about:blank");
      browser.open("http://127.0.0.1:" + webPort + "/");
      browser.await(LOAD, driver -> "live".equals(browser.text("live")));
      assertThat(browser.rowIds()).as("load %d", load).containsExactly("alice");
    }
  }

  @Test
  @DisplayName("The filter finds one client among 100,000 at once, the page never shows more than a page of rows, and new matches appear live")
  void filterFindsAClientAmongAHundredThousand() throws Exception {
    int webPort = FreePort.onLoopback();
    serverWithPage(webPort);
    Allure.step("100,000 clients say Hello over gRPC (user_0 to user_99999)",
        () -> Registrations.send(channel, 100_000, i -> "user_" + i, "Hello"));
    Browser browser = browserAt(webPort);
    assertThat(browser.text("total")).isEqualTo("100,000");
    assertThat(browser.rowIds()).hasSize(100).startsWith("user_0", "user_1", "user_10");
    assertThat(browser.driver.findElement(By.id("next")).isEnabled()).isTrue();

    WebElement filter = browser.driver.findElement(By.id("filter"));
    Allure.step("typing user_54321 in the filter shows exactly that client", () -> {
      filter.sendKeys("user_54321");
      browser.await(LOAD, driver -> browser.rowIds().equals(List.of("user_54321")));
    });
    assertThat(browser.statusOf("user_54321")).startsWith("connected since ");

    Allure.step("user_5432 shows the 11 IDs that start with it, in order", () -> {
      filter.sendKeys(Keys.BACK_SPACE);
      browser.await(LOAD, driver -> browser.rowIds().size() == 11);
    });
    assertThat(browser.rowIds())
        .containsExactly("user_5432", "user_54320", "user_54321", "user_54322", "user_54323",
            "user_54324", "user_54325", "user_54326", "user_54327", "user_54328", "user_54329");
    assertThat(browser.driver.findElement(By.id("next")).isEnabled()).isFalse();

    mark(browser);
    Allure.step("a new client user_54325x says Hello: it appears in the filtered list within a second", () -> {
      send(stub(), "user_54325x", "Hello");
      browser.await(LIVE, driver -> browser.rowIds().contains("user_54325x"));
    });
    assertThat(browser.rowIds().indexOf("user_54325x")).isEqualTo(7);
    send(stub(), "nobody", "Hello");
    browser.await(LIVE, driver -> "100,002".equals(browser.text("total")));
    assertThat(browser.rowIds()).doesNotContain("nobody").hasSize(12);
    assertThat(stillMarked(browser)).isTrue();
  }

  @Test
  @DisplayName("Markup typed into the filter is shown as text in the error, never run or rendered")
  void markupIsShownAsText() throws Exception {
    int webPort = FreePort.onLoopback();
    serverWithPage(webPort);
    send(stub(), "a.b@c-d_e", "Hello");
    Browser browser = browserAt(webPort);
    browser.await(LOAD, driver -> browser.rowIds().equals(List.of("a.b@c-d_e")));
    String title = browser.driver.getTitle();

    String markup = "<img src=x onerror=\"document.title='pwned'\"><b>bold</b>";
    browser.driver.findElement(By.id("filter")).sendKeys(markup);
    browser.await(LOAD, driver -> !browser.text("message").isEmpty());

    assertThat(browser.text("message"))
        .startsWith("prefix: Client ID must contain only letters, digits and _ - . @, but has '<' (U+003C) at position 1");
    assertThat(browser.driver.findElements(By.tagName("img"))).isEmpty();
    assertThat(browser.driver.findElements(By.tagName("b")).stream().map(WebElement::getText))
        .doesNotContain("bold");
    assertThat(browser.driver.getTitle()).isEqualTo(title);
  }

  @Test
  @DisplayName("When the server requires tokens the page asks for one, refuses a bad one, and with a good one shows and follows the clients")
  void thePageRequiresTheServersToken() throws Exception {
    ECKey signing = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
    Path keys = Files.writeString(directory.resolve("keys.json"), new JWKSet(signing.toPublicJWK()).toString());
    String token = token(signing, "operator");
    int webPort = FreePort.onLoopback();
    serverWithPage(webPort, "--token-keys", keys.toString());
    ClientServiceBlockingStub authorized = stub().withCallCredentials(bearer(token));
    send(authorized, "alice", "Hello");

    Browser browser = Allure.step("the page opens without a token", () -> {
      Browser started = Browser.start();
      open.add(started);
      started.open("http://127.0.0.1:" + webPort + "/");
      return started;
    });
    browser.await(LOAD, driver -> driver.findElement(By.id("token-form")).isDisplayed());
    assertThat(browser.text("token-reason")).startsWith("This server requires callers to authenticate");
    assertThat(browser.rowIds()).isEmpty();

    browser.driver.findElement(By.id("token")).sendKeys("not-a-token", Keys.ENTER);
    browser.await(LOAD, driver -> browser.text("token-reason").startsWith("The bearer token was refused"));
    assertThat(browser.rowIds()).isEmpty();

    browser.driver.findElement(By.id("token")).sendKeys(token, Keys.ENTER);
    browser.await(LOAD, driver -> "live".equals(browser.text("live")));
    assertThat(browser.rowIds()).containsExactly("alice");
    send(authorized, "bob", "Hello");
    browser.await(LIVE, driver -> browser.rowIds().equals(List.of("alice", "bob")));
  }

  @Test
  @DisplayName("A screenshot of the page with a few clients, for the README")
  void screenshot() throws Exception {
    int webPort = FreePort.onLoopback();
    serverWithPage(webPort);
    ClientServiceBlockingStub stub = stub();
    String[] people = {"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi",
        "ivan", "judy", "mallory", "niaj", "olivia", "peggy", "sybil", "trent"};
    for (String person : people) {
      send(stub, person + "@example.org", "Hello");
    }
    for (String person : new String[] {"bob", "frank", "judy", "sybil"}) {
      send(stub, person + "@example.org", "Goodbye");
    }
    Browser browser = browserAt(webPort);
    send(stub, "victor@example.org", "Hello");
    browser.await(LIVE, driver -> browser.rowIds().size() == people.length + 1);
    assertThat(browser.text("connected")).isEqualTo("13");
    assertThat(browser.text("disconnected")).isEqualTo("4");

    byte[] png = browser.driver.getScreenshotAs(OutputType.BYTES);
    assertThat(png).isNotEmpty();
    Allure.addAttachment("live page", "image/png", new ByteArrayInputStream(png), ".png");
    Path target = Path.of("target", "live-page.png");
    Files.write(target, png);
    // -Dlive-page.screenshot=../docs/live-page.png refreshes the README's copy.
    String docs = System.getProperty("live-page.screenshot");
    if (docs != null && !docs.isBlank()) {
      Path copy = Path.of(docs).toAbsolutePath();
      Files.createDirectories(copy.getParent());
      Files.copy(target, copy, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static String token(ECKey signing, String subject) throws Exception {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(signing.getKeyID()).build(),
            new JWTClaimsSet.Builder()
                .subject(subject)
                .claim("client_ids", List.of("*"))
                .expirationTime(Date.from(Instant.now().plus(Duration.ofHours(1))))
                .build());
    jwt.sign(new ECDSASigner(signing));
    return jwt.serialize();
  }

  private static CallCredentials bearer(String token) {
    return new CallCredentials() {
      @Override
      public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        applier.apply(headers);
      }
    };
  }
}

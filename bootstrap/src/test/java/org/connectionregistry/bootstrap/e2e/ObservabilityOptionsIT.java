package org.connectionregistry.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.qameta.allure.Allure;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.connectionregistry.testsupport.FreePort;
import org.connectionregistry.testsupport.ServerProcess;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The server's log formats and metrics options, as an operator meets them. */
@Feature("Observability")
@DisplayName("End to end: log formats and the metrics options")
class ObservabilityOptionsIT {

  private static final Duration LOGGED = Duration.ofSeconds(10);

  /** logback.xml's text pattern, as it always was: date, time, level, thread, logger - message. */
  private static final String TEXT_PREFIX =
      "\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{3} (INFO |WARN ) \\[[^\\]]+\\] \\w+ - ";

  @Test
  @Story("Logs")
  @DisplayName("by default the log is text with the same lines as ever: the ready line and the "
      + "warning for a rejected message")
  void textLogKeepsItsLines() throws Exception {
    try (ServerProcess server = Servers.start()) {
      ClientRun.against(server.target(), "1", "user_1", "Hurrah", "3");

      String ready =
          server.awaitLine(line -> line.contains("Server is starting on port"), LOGGED);
      String warning = server.awaitLine(line -> line.contains("Invalid message type"), LOGGED);

      assertThat(ready)
          .matches(TEXT_PREFIX + Pattern.quote("Server is starting on port " + server.port() + "."));
      assertThat(warning)
          .matches(TEXT_PREFIX + Pattern.quote("Warning: Invalid message type: Hurrah"));
    }
  }

  @Test
  @Story("Logs")
  @DisplayName("with --log-format json every line is one JSON object, and the ready line and the "
      + "warning are its formattedMessage")
  void jsonLogIsOneObjectPerLine() throws Exception {
    try (ServerProcess server = Servers.start("--log-format", "json")) {
      ClientRun.against(server.target(), "1", "user_1", "Hurrah", "3");
      server.awaitLine(line -> line.contains("Invalid message type"), LOGGED);

      List<String> lines = server.outputText().lines().toList();
      Allure.step("every line the server printed parses as a JSON object with a level and a "
          + "message", () -> {
            assertThat(lines).isNotEmpty();
            for (String line : lines) {
              JsonObject event = JsonParser.parseString(line).getAsJsonObject();
              assertThat(event.has("level")).as(line).isTrue();
              assertThat(event.has("timestamp")).as(line).isTrue();
              assertThat(event.has("formattedMessage")).as(line).isTrue();
            }
          });
      JsonObject ready = event(lines, "Server is starting on port " + server.port() + ".");
      assertThat(ready.get("level").getAsString()).isEqualTo("INFO");
      assertThat(ready.get("loggerName").getAsString()).endsWith("ServerLauncher");
      JsonObject warning = event(lines, "Warning: Invalid message type: Hurrah");
      assertThat(warning.get("level").getAsString()).isEqualTo("WARN");
    }
  }

  @Test
  @Story("Metrics")
  @DisplayName("with --metrics-port 0 the server says which port its metrics are served on")
  void metricsPortIsLogged() throws Exception {
    try (ServerProcess server =
        Servers.start("--metrics-port", "0", "--metrics-host", "127.0.0.1")) {
      String line =
          server.awaitLine(line1 -> line1.contains("Metrics are served on port"), LOGGED);

      assertThat(line).matches(TEXT_PREFIX + "Metrics are served on port \\d+ at /metrics\\.");
    }
  }

  @Test
  @Story("Metrics")
  @DisplayName("a metrics port already in use stops the server with one clear line")
  void metricsPortInUse() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Allure.step("something else already listens on 127.0.0.1:" + taken.getLocalPort());
      ServerExit server =
          ServerExit.of(
              "--host", "127.0.0.1", "--port", String.valueOf(FreePort.onLoopback()),
              "--metrics-host", "127.0.0.1",
              "--metrics-port", String.valueOf(taken.getLocalPort()));

      assertThat(server.exitCode()).isEqualTo(1);
      assertThat(server.output())
          .contains("cannot serve metrics on 127.0.0.1:" + taken.getLocalPort())
          .doesNotContain("\tat ")
          .doesNotContain("Server is starting");
    }
  }

  @Test
  @Story("Metrics")
  @DisplayName("a metrics port out of range, or an unknown log format, is a usage error (exit 2)")
  void badValuesAreUsageErrors() throws Exception {
    ServerExit port = ServerExit.of("--metrics-port", "70000");
    assertThat(port.exitCode()).isEqualTo(2);
    assertThat(port.output())
        .contains("--metrics-port must be between 0 and 65535, got 70000")
        .doesNotContain("\tat ");

    ServerExit format = ServerExit.of("--log-format", "xml");
    assertThat(format.exitCode()).isEqualTo(2);
    assertThat(format.output())
        .contains("'xml' is not a log format; use text or json")
        .doesNotContain("\tat ");
  }

  private static JsonObject event(List<String> lines, String message) {
    return lines.stream()
        .map(line -> JsonParser.parseString(line).getAsJsonObject())
        .filter(event -> message.equals(event.get("formattedMessage").getAsString()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no log line says " + message + ":\n" + lines));
  }
}

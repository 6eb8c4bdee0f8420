package org.connectionregistry.bootstrap.e2e;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.qameta.allure.Allure;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.testsupport.FreePort;

/**
 * A real Prometheus (the {@code prometheus} binary on the PATH, Debian's package in CI) on a free
 * loopback port, with its own storage in a temporary directory and a scrape config that points at
 * one target every second. Queried through its own HTTP API ({@code /api/v1/query}), as a
 * dashboard or an alert rule would.
 */
final class PrometheusServer implements AutoCloseable {

  static final String JOB = "connection-registry";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final Process process;
  private final Path log;
  private final int port;
  private final HttpClient http = HttpClient.newHttpClient();

  private PrometheusServer(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /** Starts Prometheus scraping {@code 127.0.0.1:targetPort/metrics} every second. */
  static PrometheusServer scraping(int targetPort, Path directory)
      throws IOException, InterruptedException {
    int port = FreePort.onLoopback();
    Path config = directory.resolve("prometheus.yml");
    Files.writeString(
        config,
        String.join(
            "\n",
            "global:",
            "  scrape_interval: 1s",
            "  scrape_timeout: 1s",
            "scrape_configs:",
            "  - job_name: " + JOB,
            "    static_configs:",
            "      - targets: ['127.0.0.1:" + targetPort + "']",
            ""));
    Path log = directory.resolve("prometheus.log");
    Process process =
        new ProcessBuilder(
                List.of(
                    "prometheus",
                    "--config.file=" + config,
                    "--storage.tsdb.path=" + directory.resolve("data"),
                    "--web.listen-address=127.0.0.1:" + port))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    PrometheusServer prometheus = new PrometheusServer(process, log, port);
    return Allure.step(
        "Prometheus is started on 127.0.0.1:" + port + ", scraping 127.0.0.1:" + targetPort
            + " every second",
        () -> {
          Allure.addAttachment("prometheus.yml", "text/yaml", Files.readString(config), ".yml");
          try {
            prometheus.awaitReady();
          } catch (AssertionError | IOException | InterruptedException e) {
            prometheus.close();
            throw e;
          }
          return prometheus;
        });
  }

  private void awaitReady() throws IOException, InterruptedException {
    Instant deadline = Instant.now().plus(START_TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new AssertionError(
            "Prometheus exited with " + process.exitValue() + ":\n" + Files.readString(log));
      }
      try {
        if (get("/-/ready").statusCode() == 200) {
          return;
        }
      } catch (IOException notListeningYet) {
        // keep waiting
      }
      Thread.sleep(100);
    }
    throw new AssertionError("Prometheus was not ready within " + START_TIMEOUT);
  }

  /**
   * The value of an instant query whose answer is one series (or none: empty), e.g. {@code
   * connreg_store_up}.
   */
  OptionalDouble query(String promql) throws IOException, InterruptedException {
    HttpResponse<String> response =
        get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    JsonObject body = JsonParser.parseString(response.body()).getAsJsonObject();
    if (response.statusCode() != 200 || !"success".equals(body.get("status").getAsString())) {
      throw new AssertionError("Prometheus rejected " + promql + ": " + response.body());
    }
    JsonArray result = body.getAsJsonObject("data").getAsJsonArray("result");
    if (result.isEmpty()) {
      return OptionalDouble.empty();
    }
    if (result.size() > 1) {
      throw new AssertionError(promql + " matches more than one series: " + result);
    }
    // "value": [<unix time>, "<value as a string>"]
    return OptionalDouble.of(
        Double.parseDouble(result.get(0).getAsJsonObject().getAsJsonArray("value").get(1).getAsString()));
  }

  /**
   * Waits until {@code promql} reads {@code expected} in Prometheus (scrapes come every second),
   * as one step of the report; fails with the last value read if it does not within the timeout.
   */
  void awaitValue(String promql, double expected, Duration timeout) {
    Allure.step(
        "Prometheus reads " + promql + " = " + format(expected),
        () -> {
          Instant deadline = Instant.now().plus(timeout);
          OptionalDouble last = OptionalDouble.empty();
          while (Instant.now().isBefore(deadline)) {
            last = query(promql);
            if (last.isPresent() && last.getAsDouble() == expected) {
              return;
            }
            Thread.sleep(250);
          }
          throw new AssertionError(
              promql + " read " + (last.isPresent() ? format(last.getAsDouble()) : "no series")
                  + " in Prometheus, expected " + format(expected) + " within " + timeout);
        });
  }

  private static String format(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Override
  public void close() throws IOException, InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    if (Files.exists(log)) {
      Allure.addAttachment("prometheus log", "text/plain", Files.readString(log), ".txt");
    }
  }
}

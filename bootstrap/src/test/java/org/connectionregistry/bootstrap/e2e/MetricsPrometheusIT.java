package org.connectionregistry.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qameta.allure.Allure;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.adapter.store.redis.testing.RedisServer;
import org.connectionregistry.proto.ClientServiceGrpc;
import org.connectionregistry.proto.ClientServiceGrpc.ClientServiceBlockingStub;
import org.connectionregistry.proto.ClientStatusRequest;
import org.connectionregistry.proto.MessageRequest;
import org.connectionregistry.testsupport.FreePort;
import org.connectionregistry.testsupport.ServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus scrapes a real server: known calls go in over gRPC, and the counts come back
 * out of Prometheus' own query API. Runs where the {@code prometheus} binary is installed (the
 * {@code prometheus} profile of bootstrap's pom); CI installs it and checks that this ran.
 */
@Feature("Observability")
@DisplayName("End to end: a real Prometheus scrapes the server's metrics")
class MetricsPrometheusIT {

  private static final Duration SCRAPED = Duration.ofSeconds(30);

  @TempDir Path directory;

  private ManagedChannel channel;

  @AfterEach
  void closeChannel() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  @Story("Prometheus scrape")
  @DisplayName("Prometheus reads the calls by method and status code, the clients by status and "
      + "the store as up, exactly as they were sent")
  void prometheusReadsTheCallsAndClientsSent() throws Exception {
    int metricsPort = FreePort.onLoopback();
    try (ServerProcess server = startWithMetrics(metricsPort);
        PrometheusServer prometheus = PrometheusServer.scraping(metricsPort, directory)) {
      ClientServiceBlockingStub stub = stub(server);

      Allure.step(
          "5 Hellos (user_1 to user_5), 2 Goodbyes (user_1, user_2), 3 Hurrahs, "
              + "1 status of a known client and 2 of unknown ones",
          () -> {
            for (int i = 1; i <= 5; i++) {
              send(stub, "user_" + i, "Hello");
            }
            send(stub, "user_1", "Goodbye");
            send(stub, "user_2", "Goodbye");
            for (int i = 0; i < 3; i++) {
              assertThatThrownBy(() -> send(stub, "user_9", "Hurrah"))
                  .satisfies(e -> assertCode(e, Status.Code.INVALID_ARGUMENT));
            }
            stub.getClientStatus(ClientStatusRequest.newBuilder().setClientId("user_3").build());
            for (String unknown : new String[] {"nobody_1", "nobody_2"}) {
              assertThatThrownBy(
                      () ->
                          stub.getClientStatus(
                              ClientStatusRequest.newBuilder().setClientId(unknown).build()))
                  .satisfies(e -> assertCode(e, Status.Code.NOT_FOUND));
            }
          });

      prometheus.awaitValue("up{job=\"" + PrometheusServer.JOB + "\"}", 1, SCRAPED);
      prometheus.awaitValue(calls("SendMessage", "OK"), 7, SCRAPED);
      prometheus.awaitValue(calls("SendMessage", "INVALID_ARGUMENT"), 3, SCRAPED);
      prometheus.awaitValue(calls("GetClientStatus", "OK"), 1, SCRAPED);
      prometheus.awaitValue(calls("GetClientStatus", "NOT_FOUND"), 2, SCRAPED);
      // Every timed call is in the histogram's last bucket, and it has a latency to report.
      prometheus.awaitValue(
          "grpc_server_processing_duration_seconds_bucket{method=\"SendMessage\","
              + "statusCode=\"OK\",le=\"+Inf\"}",
          7,
          SCRAPED);
      OptionalDouble p99 =
          prometheus.query(
              "histogram_quantile(0.99, sum by (le) "
                  + "(grpc_server_processing_duration_seconds_bucket{method=\"SendMessage\"}))");
      assertThat(p99).isPresent();
      assertThat(p99.getAsDouble()).isPositive().isLessThan(10);
      prometheus.awaitValue("connreg_clients{status=\"connected\"}", 3, SCRAPED);
      prometheus.awaitValue("connreg_clients{status=\"disconnected\"}", 2, SCRAPED);
      prometheus.awaitValue("connreg_store_up", 1, SCRAPED);
    }
  }

  @Test
  @Story("Prometheus scrape")
  @DisplayName("Redis stopped: Prometheus reads the store as down (0); Redis back: up (1) again")
  void prometheusSeesTheStoreGoDownAndComeBack() throws Exception {
    int metricsPort = FreePort.onLoopback();
    try (RedisServer redis = RedisServer.start();
        ServerProcess server = startWithMetrics(metricsPort, "--store", redis.uri());
        PrometheusServer prometheus = PrometheusServer.scraping(metricsPort, directory)) {
      send(stub(server), "user_1", "Hello");
      prometheus.awaitValue("connreg_store_up", 1, SCRAPED);
      prometheus.awaitValue("connreg_clients{status=\"connected\"}", 1, SCRAPED);

      redis.stop();
      prometheus.awaitValue("connreg_store_up", 0, SCRAPED);
      // The server's own health is unaffected: Prometheus still reaches it.
      prometheus.awaitValue("up{job=\"" + PrometheusServer.JOB + "\"}", 1, SCRAPED);

      redis.restart();
      prometheus.awaitValue("connreg_store_up", 1, SCRAPED);
    }
  }

  private static ServerProcess startWithMetrics(int metricsPort, String... more) throws Exception {
    String[] args = new String[6 + more.length];
    args[0] = "--metrics-port";
    args[1] = String.valueOf(metricsPort);
    args[2] = "--metrics-host";
    args[3] = "127.0.0.1";
    args[4] = "--metrics-count-interval";
    args[5] = "500ms";
    System.arraycopy(more, 0, args, 6, more.length);
    return Servers.start(args);
  }

  private ClientServiceBlockingStub stub(ServerProcess server) {
    channel = ManagedChannelBuilder.forTarget(server.target()).usePlaintext().build();
    return ClientServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  private static void send(ClientServiceBlockingStub stub, String clientId, String message) {
    stub.sendMessage(
        MessageRequest.newBuilder().setClientId(clientId).setMessage(message).build());
  }

  private static void assertCode(Throwable error, Status.Code code) {
    assertThat(error).isInstanceOf(StatusRuntimeException.class);
    assertThat(((StatusRuntimeException) error).getStatus().getCode()).isEqualTo(code);
  }

  private static String calls(String method, String statusCode) {
    return "grpc_server_processing_duration_seconds_count{service=\"client_service.ClientService\","
        + "method=\"" + method + "\",statusCode=\"" + statusCode + "\"}";
  }
}

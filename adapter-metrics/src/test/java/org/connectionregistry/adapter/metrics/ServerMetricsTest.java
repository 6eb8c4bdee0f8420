package org.connectionregistry.adapter.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.connectionregistry.application.port.in.SendMessageCommand;
import org.connectionregistry.application.service.ConnectionService;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.InMemoryConnectionRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@Feature("Observability")
@DisplayName("Server metrics: calls by method and status, clients, the store, over HTTP")
class ServerMetricsTest {

  /** A unary method of a service that is not ours, so this module needs no generated code. */
  private static final MethodDescriptor<String, String> ECHO =
      MethodDescriptor.<String, String>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("test.Echo/Say")
          .setRequestMarshaller(new Utf8())
          .setResponseMarshaller(new Utf8())
          .build();

  private final InMemoryConnectionRegistry registry = new InMemoryConnectionRegistry();
  private final ConnectionService service = new ConnectionService(registry);
  private final ServerMetrics metrics = new ServerMetrics(registry::counts, Duration.ZERO);
  private Server server;
  private ManagedChannel channel;
  private MetricsEndpoint endpoint;

  @AfterEach
  void stop() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (endpoint != null) {
      endpoint.close();
    }
    metrics.close();
  }

  @Test
  @Story("Metrics")
  @DisplayName("every call is counted and timed under its method and its status code")
  void callsAreCountedByMethodAndStatusCode() throws IOException {
    startEchoServer();

    for (int i = 0; i < 3; i++) {
      assertThat(say("hello")).isEqualTo("hello");
    }
    assertThatThrownBy(() -> say("")).isInstanceOf(StatusRuntimeException.class);

    String scrape = metrics.scrape();
    assertThat(scrape)
        .contains(
            "grpc_server_processing_duration_seconds_count{method=\"Say\",methodType=\"UNARY\","
                + "service=\"test.Echo\",statusCode=\"OK\"} 3")
        .contains(
            "grpc_server_processing_duration_seconds_count{method=\"Say\",methodType=\"UNARY\","
                + "service=\"test.Echo\",statusCode=\"INVALID_ARGUMENT\"} 1")
        .contains(
            "grpc_server_processing_duration_seconds_bucket{method=\"Say\",methodType=\"UNARY\","
                + "service=\"test.Echo\",statusCode=\"OK\",le=\"0.001\"}")
        .contains(
            "grpc_server_requests_received_messages_total{method=\"Say\",methodType=\"UNARY\","
                + "service=\"test.Echo\"} 4");
  }

  @Test
  @Story("Metrics")
  @DisplayName("registered clients are reported by status")
  void clientsAreCountedByStatus() {
    service.sendMessage(new SendMessageCommand(ClientId.of("user_1"), "Hello"));
    service.sendMessage(new SendMessageCommand(ClientId.of("user_2"), "Hello"));
    service.sendMessage(new SendMessageCommand(ClientId.of("user_3"), "Goodbye"));

    assertThat(metrics.scrape())
        .contains("connreg_clients{status=\"connected\"} 2")
        .contains("connreg_clients{status=\"disconnected\"} 1");

    service.sendMessage(new SendMessageCommand(ClientId.of("user_1"), "Goodbye"));

    assertThat(metrics.scrape())
        .contains("connreg_clients{status=\"connected\"} 1")
        .contains("connreg_clients{status=\"disconnected\"} 2");
  }

  @Test
  @Story("Metrics")
  @DisplayName("the store is reported up while it can be reached and down while it cannot")
  void storeReachabilityIsReported() {
    AtomicBoolean reachable = new AtomicBoolean(true);
    metrics.watchStore(reachable::get);

    assertThat(metrics.scrape()).contains("connreg_store_up 1");
    reachable.set(false);
    assertThat(metrics.scrape()).contains("connreg_store_up 0");
  }

  @Test
  @Story("Metrics")
  @DisplayName("a store check that throws reports the store down")
  void aFailingStoreCheckIsDown() {
    metrics.watchStore(
        () -> {
          throw new IllegalStateException("connection refused");
        });

    assertThat(metrics.scrape()).contains("connreg_store_up 0");
  }

  @Test
  @Story("Metrics")
  @DisplayName("live watchers are reported by the way they follow, and the clients live sessions hold")
  void watchersAndSessionsAreReported() {
    AtomicInteger pages = new AtomicInteger(2);
    metrics.countWatchers("web", pages::get);
    metrics.countSessionClients(() -> 7);

    assertThat(metrics.scrape())
        .contains("connreg_watchers{via=\"web\"} 2")
        .contains("connreg_session_clients 7");
    pages.set(0);
    assertThat(metrics.scrape()).contains("connreg_watchers{via=\"web\"} 0");
  }

  @Test
  @Story("Metrics")
  @DisplayName("the figures are served over HTTP at /metrics on a port of their own")
  void figuresAreServedOverHttp() throws Exception {
    service.sendMessage(new SendMessageCommand(ClientId.of("user_1"), "Hello"));
    endpoint = metrics.serve("127.0.0.1", 0);

    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + endpoint.port() + "/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("text/plain"));
    assertThat(response.body())
        .contains("connreg_clients{status=\"connected\"} 1")
        .contains("jvm_memory_used_bytes");
  }

  @Test
  @Story("Metrics")
  @DisplayName("a metrics port that is taken is an error that names the problem")
  void aTakenPortFails() throws IOException {
    endpoint = metrics.serve("127.0.0.1", 0);

    try (ServerMetrics other = new ServerMetrics(registry::counts, Duration.ZERO)) {
      assertThatThrownBy(() -> other.serve("127.0.0.1", endpoint.port()))
          .isInstanceOf(IOException.class);
    }
  }

  private void startEchoServer() throws IOException {
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .intercept(metrics.callInterceptor())
            .addService(
                ServerServiceDefinition.builder("test.Echo")
                    .addMethod(
                        ECHO,
                        ServerCalls.asyncUnaryCall(
                            (request, response) -> {
                              if (request.isEmpty()) {
                                response.onError(
                                    Status.INVALID_ARGUMENT
                                        .withDescription("nothing to say")
                                        .asRuntimeException());
                                return;
                              }
                              response.onNext(request);
                              response.onCompleted();
                            }))
                    .build())
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  private String say(String text) {
    return ClientCalls.blockingUnaryCall(channel, ECHO, CallOptions.DEFAULT, text);
  }

  private static final class Utf8 implements MethodDescriptor.Marshaller<String> {
    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String parse(InputStream stream) {
      try {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}

package org.connectionregistry.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.grpc.Server;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

@Feature("Observability")
@DisplayName("MetricsCost: the same load on two servers at once, and the ratio of their throughputs")
class MetricsCostTest {

  private Server off;
  private Server on;
  private HttpServer metrics;
  private final AtomicInteger scrapes = new AtomicInteger();
  private final StringWriter out = new StringWriter();

  @BeforeEach
  void startServers() throws Exception {
    off = BareServer.start(0, ExecutorChoice.DIRECT);
    on = BareServer.start(0, ExecutorChoice.DIRECT);
    metrics = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    metrics.createContext(
        "/metrics",
        exchange -> {
          scrapes.incrementAndGet();
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    metrics.start();
  }

  @AfterEach
  void stopServers() throws InterruptedException {
    metrics.stop(0);
    for (Server server : List.of(off, on)) {
      server.shutdownNow();
      server.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  @Story("Metrics")
  @DisplayName("each round loads both servers, and the report gives both throughputs, the ratio "
      + "and the target; the metrics URL is fetched meanwhile")
  void reportsBothServersAndTheirRatio() {
    CommandLine commandLine = Cli.commandLine(new MetricsCost());
    commandLine.setOut(new PrintWriter(out, true));

    int exitCode =
        commandLine.execute(
            "--off", "127.0.0.1:" + off.getPort(),
            "--on", "127.0.0.1:" + on.getPort(),
            "--concurrency", "4", "--rounds", "2", "--seconds", "1", "--warmup-seconds", "2",
            "--clients", "10",
            "--scrape", "http://127.0.0.1:" + metrics.getAddress().getPort() + "/metrics",
            // Both servers run in this process: its CPU time stands in for each one's.
            "--off-pid", String.valueOf(ProcessHandle.current().pid()),
            "--on-pid", String.valueOf(ProcessHandle.current().pid()));

    assertThat(exitCode).as(out.toString()).isZero();
    assertThat(out.toString().lines().filter(line -> line.startsWith("round "))).hasSize(2);
    assertThat(number("metrics off\\s+(\\d+) calls/s")).isPositive();
    assertThat(number("metrics on\\s+(\\d+) calls/s")).isPositive();
    assertThat(number("on/off throughput: ([\\d.]+) over all rounds")).isPositive();
    assertThat(number("server CPU per call: off ([\\d.]+) us")).isPositive();
    assertThat(out.toString()).containsPattern("Target: metrics on >= 0.95 x off .*(met|NOT met)");
    assertThat(scrapes).hasPositiveValue();
  }

  @Test
  @Story("Metrics")
  @DisplayName("the median of an even number of rounds is the mean of the middle two")
  void medianOfRounds() {
    assertThat(MetricsCost.median(List.of(0.9, 1.1, 0.97))).isEqualTo(0.97);
    assertThat(MetricsCost.median(List.of(1.0, 0.9, 0.96, 0.98))).isEqualTo(0.97, org.assertj.core.api.Assertions.within(1e-9));
  }

  private double number(String regex) {
    Matcher matcher = Pattern.compile(regex).matcher(out.toString());
    assertThat(matcher.find()).as("report matches %s:%n%s", regex, out).isTrue();
    return Double.parseDouble(matcher.group(1));
  }
}

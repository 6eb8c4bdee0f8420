package org.connectionregistry.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Server;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.connectionregistry.testsupport.FreePort;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

@Feature("Performance")
@Story("Load generator")
@DisplayName("Benchmarks: the gRPC load generator")
class LoadGeneratorTest {

  private Server server;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void startBareServer() throws Exception {
    server = BareServer.start(0, ExecutorChoice.DIRECT);
  }

  @AfterEach
  void stopBareServer() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
  }

  private int run(String... args) {
    CommandLine commandLine = Cli.commandLine(new LoadGenerator());
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    return commandLine.execute(args);
  }

  private String[] shortRun(String... extra) {
    String[] base = {
      "--target", "127.0.0.1:" + server.getPort(),
      "--concurrency", "4", "--duration", "500ms", "--warmup", "200ms", "--clients", "10"
    };
    String[] all = Arrays.copyOf(base, base.length + extra.length);
    System.arraycopy(extra, 0, all, base.length, extra.length);
    return all;
  }

  private long reported(String name) {
    Matcher matcher = Pattern.compile("(?m)^" + name + ":\\s+(\\d+)").matcher(out.toString());
    assertThat(matcher.find()).as("report has a '%s:' line:%n%s", name, out).isTrue();
    return Long.parseLong(matcher.group(1));
  }

  @Test
  @DisplayName("a SendMessage run completes its calls without errors and reports throughput and percentiles")
  void sendMessageRunCompletesCallsWithoutErrorsAndReportsThroughputAndPercentiles() {
    int exitCode = run(shortRun("--rpc", "send"));

    assertThat(exitCode).isZero();
    assertThat(reported("Calls")).isPositive();
    assertThat(reported("Errors")).isZero();
    assertThat(out.toString())
        .contains("SendMessage to 127.0.0.1:" + server.getPort() + ", concurrency 4")
        .containsPattern("Throughput:\\s+\\d+ calls/s")
        .containsPattern("Latency p50:\\s+[\\d.]+ us")
        .containsPattern("Latency p99:\\s+[\\d.]+ us")
        .containsPattern("Latency p99.9:\\s+[\\d.]+ us");
  }

  @Test
  @DisplayName("a GetClientStatus run completes its calls without errors")
  void getClientStatusRunCompletesCallsWithoutErrors() {
    int exitCode = run(shortRun("--rpc", "status"));

    assertThat(exitCode).isZero();
    assertThat(out.toString()).contains("GetClientStatus to 127.0.0.1:");
    assertThat(reported("Calls")).isPositive();
    assertThat(reported("Errors")).isZero();
  }

  @Test
  @DisplayName("a server that is not there is reported as errors, with the first cause and exit code 1")
  void serverThatIsNotThereIsReportedAsErrorsWithTheFirstCauseAndExitCodeOne() throws Exception {
    int deadPort = FreePort.onLoopback();

    CommandLine commandLine = Cli.commandLine(new LoadGenerator());
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int exitCode =
        commandLine.execute(
            "--target", "127.0.0.1:" + deadPort,
            "--concurrency", "2", "--duration", "300ms", "--warmup", "0s");

    assertThat(exitCode).isEqualTo(1);
    assertThat(reported("Calls")).isZero();
    assertThat(reported("Errors")).isPositive();
    assertThat(out.toString()).contains("First error:   UNAVAILABLE");
    assertThat(err.toString()).doesNotContain("Exception");
  }

  @Test
  @DisplayName("a malformed target is rejected with a clear message")
  void malformedTargetIsRejectedWithAClearMessage() {
    int exitCode = run("--target", "localhost");

    assertThat(exitCode).isEqualTo(2);
    assertThat(err.toString()).contains("--target must be host:port, got 'localhost'");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  @DisplayName("an unreadable duration is rejected with a clear message")
  void unreadableDurationIsRejectedWithAClearMessage() {
    int exitCode = run("--target", "127.0.0.1:" + server.getPort(), "--duration", "ten seconds");

    assertThat(exitCode).isEqualTo(2);
    assertThat(err.toString()).contains("'ten seconds' is not a duration");
  }
}

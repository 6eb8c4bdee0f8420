package org.connectionregistry.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Compare end to end, with two bare servers as processes: the full server may not exist yet. */
@Feature("Performance")
@Story("Full server against a bare one")
@DisplayName("Benchmarks: the full server compared with a bare grpc-java server")
class CompareTest {

  private static final String BARE_ARGS =
      "-cp {classpath} org.connectionregistry.benchmarks.load.BareServer --port {port}";

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @AfterEach
  void noServerProcessOutlivesTheRun() {
    // Stops anything a failed assertion left behind, then says so.
    long leftOver =
        ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
            .peek(ProcessHandle::destroyForcibly).count();
    assertThat(leftOver).as("server processes still running").isZero();
  }

  private int run(String... args) {
    CommandLine commandLine = Cli.commandLine(new Compare());
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    return commandLine.execute(args);
  }

  @Test
  @DisplayName("compares both servers and prints the table, the ratios and the targets")
  void comparesBothServersAndPrintsTheTableRatiosAndTargets() {
    int exitCode =
        run(
            "--concurrency", "1,4", "--duration", "300ms", "--warmup", "200ms", "--rounds", "2",
            "--server-warmup", "200ms", "--jvm-flags", "-Xmx64m",
            "--bare-executor", "direct",
            "--full-args", BARE_ARGS + " --executor default",
            "--full-ready", BareServer.READY_LINE_PREFIX);

    assertThat(exitCode).as("exit code; output:%n%s%s", out, err).isZero();
    assertThat(out.toString())
        .contains("Servers ready: bare (pid")
        .contains("Warmed up the bare server", "Warmed up the full server")
        .contains("round 1/2", "round 2/2")
        .containsPattern("(?m)^send c=1\\s+bare\\s+\\d+")
        .containsPattern("(?m)^send c=1\\s+full\\s+\\d+")
        .containsPattern("(?m)^send c=4\\s+bare\\s+\\d+")
        .containsPattern("(?m)^send c=4\\s+full\\s+\\d+")
        .containsPattern("(?m)^full/bare\\s+throughput\\s+p50\\s+p99\\s+p99.9")
        .containsPattern("Target: SendMessage throughput at concurrency 4 >= 0.90 x bare: [\\d.]+")
        .containsPattern("Target: single-stream SendMessage p99 <= 1.50 x bare: [\\d.]+")
        // One ratio per round, then their median (a loaded machine may make one Infinity).
        .containsPattern("(?m)^send c=4(\\s+[\\d.]+|\\s+Infinity){2}\\s+median \\S+$");
  }

  @Test
  @DisplayName("the median of the rounds' ratios is the middle one, or the mean of the middle two")
  void theMedianOfTheRoundsRatiosIsTheMiddleOne() {
    assertThat(Compare.median(java.util.List.of(0.9, 0.5, 0.7))).isEqualTo(0.7);
    assertThat(Compare.median(java.util.List.of(0.9, 0.5, 0.7, 0.6))).isEqualTo(0.65, within(1e-9));
  }

  @Test
  @DisplayName("a full server that cannot start is reported, and the bare server is stopped")
  void fullServerThatCannotStartIsReportedAndTheBareServerIsStopped() {
    int exitCode =
        run(
            "--duration", "300ms", "--warmup", "0s", "--jvm-flags", "-Xmx64m",
            "--full-args", "-cp {classpath} org.connectionregistry.NoSuchServer");

    assertThat(exitCode).isEqualTo(1);
    assertThat(err.toString())
        .contains("The full server exited with code 1 before it was ready")
        .contains("NoSuchServer");
    assertThat(out.toString()).doesNotContain("Servers ready");
  }
}

package org.connectionregistry.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@Feature("Performance")
@Story("Store benchmark")
@DisplayName("Benchmarks: timing complete listings after a warm-up")
class ListingTimerTest {

  private final StringWriter out = new StringWriter();

  /** A listing that takes about 10 ms and lists {@code clients}, remembering when it started. */
  private static ListingMethod listing(List<Long> starts, long clients) {
    return new ListingMethod(
        "fake listing",
        () -> {
          starts.add(System.nanoTime());
          try {
            TimeUnit.MILLISECONDS.sleep(10);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return clients;
        });
  }

  @Test
  @DisplayName("unmeasured listings go on until the warm-up time has passed, then the given "
      + "number of runs is timed")
  void unmeasuredListingsGoOnUntilTheWarmUpTimeHasPassed() {
    List<Long> starts = new ArrayList<>();
    ListingTimer timer =
        new ListingTimer(new PrintWriter(out, true), 100, 1, Duration.ofMillis(200), 3);

    ListingTimer.Timing timing = timer.time(listing(starts, 100));

    int warmups = starts.size() - 3;
    assertThat(warmups).isGreaterThan(1);
    long firstMeasured = starts.get(warmups);
    assertThat(firstMeasured - starts.get(0)).isGreaterThanOrEqualTo(
        Duration.ofMillis(200).toNanos());
    assertThat(timing.times().nanos()).hasSize(3);
    assertThat(timing.complete()).isTrue();
    assertThat(out.toString())
        .contains("fake listing                     warm-up: " + warmups + " listings in ")
        .contains("run 1/3: 100 clients in", "run 3/3: 100 clients in")
        .doesNotContain("run 4/3")
        .containsPattern("best \\d+ ms, median \\d+ ms");
  }

  @Test
  @DisplayName("without a warm-up time exactly the given number of warm-up listings runs, as "
      + "the listing benchmark asks")
  void withoutAWarmUpTimeExactlyTheGivenWarmUpListingsRun() {
    List<Long> starts = new ArrayList<>();
    ListingTimer timer = new ListingTimer(new PrintWriter(out, true), 100, 2, 4);

    timer.time(listing(starts, 100));

    assertThat(starts).hasSize(2 + 4);
    assertThat(out.toString()).doesNotContain("warm-up");
  }

  @Test
  @DisplayName("a run that lists fewer clients than registered makes the timing incomplete")
  void runThatListsFewerClientsMakesTheTimingIncomplete() {
    ListingTimer timer = new ListingTimer(new PrintWriter(out, true), 100, 0, 2);

    ListingTimer.Timing timing = timer.time(listing(new ArrayList<>(), 99));

    assertThat(timing.complete()).isFalse();
    assertThat(out.toString()).contains("INCOMPLETE: some runs did not list every client");
  }
}

package org.connectionregistry.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.qameta.allure.Allure;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.testsupport.FreePort;
import org.connectionregistry.testsupport.ServerProcess;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A measurement, not a test of speed (it asserts nothing about time): how long the live page takes
 * to show its first rows with 1,000,000 clients registered, against the same page with 1,000 (the
 * anchor, measured in the same run and server). Run on demand only; the build excludes it:
 *
 * <pre>
 * mvn -B -pl bootstrap -am verify -Dit.test=LivePageFirstRowsMeasurementIT -Dsurefire.failIfNoSpecifiedTests=false -Dtest=none
 * </pre>
 *
 * <p>The time is the page's own: from the start of navigation to the first rows in the document
 * ({@code performance.now()} when the page first renders rows), taken as the median of several
 * fresh page loads in a fresh browser tab each.
 */
@Feature("Performance")
@Story("Live page")
@DisplayName("Measurement: time for the live page to show its first rows, 1,000 vs 1,000,000 clients")
class LivePageFirstRowsMeasurementIT {

  private static final int LOADS = 7;

  @Test
  @DisplayName("The first rows with 1,000,000 clients registered, against 1,000 in the same run")
  void firstRows() throws Exception {
    int webPort = FreePort.onLoopback();
    try (ServerProcess server =
            Servers.start("--web-port", String.valueOf(webPort), "--web-host", "127.0.0.1", "--max-clients", "0");
        Browser browser = Browser.start()) {
      ManagedChannel channel = ManagedChannelBuilder.forTarget(server.target()).usePlaintext().build();
      try {
        String page = "http://127.0.0.1:" + webPort + "/";
        Registrations.send(channel, 1_000, i -> String.format("user_%07d", i), "Hello");
        double anchor = medianFirstRows(browser, page, "1,000");
        long start = System.nanoTime();
        Registrations.send(channel, 999_000, i -> String.format("user_%07d", i + 1_000), "Hello");
        System.out.printf(
            "[live page] 999,000 more clients registered over gRPC in %.1f s%n",
            (System.nanoTime() - start) / 1e9);
        double million = medianFirstRows(browser, page, "1,000,000");
        assertThat(browser.rowIds()).hasSize(100);
        String figure =
            String.format(
                "[live page] first rows: 1,000 clients %.0f ms, 1,000,000 clients %.0f ms"
                    + " (median of %d loads); ratio %.2f",
                anchor, million, LOADS, million / anchor);
        System.out.println(figure);
        Allure.addAttachment("figure", figure);
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  private static double medianFirstRows(Browser browser, String page, String total) {
    List<Double> times = new ArrayList<>();
    for (int i = 0; i < LOADS; i++) {
      browser.driver.get("about:blank");
      browser.open(page);
      browser.await(Duration.ofSeconds(60), driver -> total.equals(browser.text("total"))
          && driver.findElement(org.openqa.selenium.By.tagName("html")).getAttribute("data-first-rows-ms") != null);
      Object ms = browser.driver.executeScript("return Number(document.documentElement.dataset.firstRowsMs);");
      times.add(((Number) ms).doubleValue());
    }
    times.sort(null);
    System.out.printf("[live page] %s clients, first rows after (ms): %s%n", total, times);
    return times.get(times.size() / 2);
  }
}

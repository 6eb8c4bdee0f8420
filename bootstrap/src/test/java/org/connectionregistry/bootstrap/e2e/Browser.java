package org.connectionregistry.bootstrap.e2e;

import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's chromium, headless, driven through Debian's chromedriver (never a driver or browser
 * downloaded by Selenium Manager). The {@code browser} profile of bootstrap's pom runs the tests
 * that use it wherever {@code /usr/bin/chromedriver} is installed.
 */
final class Browser implements AutoCloseable {

  static final String CHROMEDRIVER = "/usr/bin/chromedriver";
  static final String CHROMIUM = "/usr/bin/chromium";

  final ChromeDriver driver;

  private Browser(ChromeDriver driver) {
    this.driver = driver;
  }

  static Browser start() {
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER))
            .usingAnyFreePort()
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments(
        "--headless=new",
        "--no-sandbox", // CI runs as root
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1100,820",
        "--force-device-scale-factor=1",
        "--lang=en-US");
    return new Browser(new ChromeDriver(service, options));
  }

  void open(String url) {
    driver.get(url);
  }

  /** Waits up to {@code timeout} until {@code condition} holds (is neither null nor false). */
  <T> T await(Duration timeout, Function<WebDriver, T> condition) {
    return new WebDriverWait(driver, timeout, Duration.ofMillis(20)).until(condition);
  }

  /**
   * The client IDs of the rows on the page, top to bottom. Read in one script, since the page
   * may redraw its rows between two calls of the driver.
   */
  @SuppressWarnings("unchecked")
  List<String> rowIds() {
    return (List<String>)
        driver.executeScript(
            "return Array.from(document.querySelectorAll('#rows tr'), r => r.dataset.clientId);");
  }

  /** The status text of {@code clientId}'s row ("connected since 10:42:03"), or null. */
  String statusOf(String clientId) {
    return (String)
        driver.executeScript(
            "const row = Array.from(document.querySelectorAll('#rows tr'))"
                + ".find(r => r.dataset.clientId === arguments[0]);"
                + "return row ? row.cells[1].textContent : null;",
            clientId);
  }

  String text(String id) {
    return driver.findElement(By.id(id)).getText();
  }

  @Override
  public void close() {
    driver.quit();
  }
}

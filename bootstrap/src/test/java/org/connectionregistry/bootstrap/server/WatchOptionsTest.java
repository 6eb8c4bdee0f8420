package org.connectionregistry.bootstrap.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.time.Duration;
import org.connectionregistry.domain.ChangeHistory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

@Feature("Watch")
@Story("Watch options")
@DisplayName("Server watch options: sensible defaults, and a max lag the history can resume from")
class WatchOptionsTest {

  private static WatchSettings parse(String... args) {
    ServerLauncher launcher = new ServerLauncher();
    new CommandLine(launcher).parseArgs(args);
    return launcher.watch.settings();
  }

  @Test
  @DisplayName("without options: the default history, progress every 5 s, cut-off at half the history")
  void defaults() {
    assertThat(parse())
        .isEqualTo(new WatchSettings(ChangeHistory.DEFAULT_CAPACITY, Duration.ofSeconds(5),
            ChangeHistory.DEFAULT_CAPACITY / 2));
  }

  @Test
  @DisplayName("the options set history, interval and lag; the lag follows the history unless given")
  void options() {
    assertThat(parse("--watch-history", "1000", "--watch-progress-interval", "250ms"))
        .isEqualTo(new WatchSettings(1000, Duration.ofMillis(250), 500));
    assertThat(parse("--watch-history", "1000", "--watch-max-lag", "900").maxLag()).isEqualTo(900);
  }

  @Test
  @DisplayName("a max lag the history cannot resume from, or a history of one, is a usage error saying why")
  void badCombinations() {
    assertThatThrownBy(() -> parse("--watch-history", "1000", "--watch-max-lag", "1000"))
        .isInstanceOf(ParameterException.class)
        .hasMessage("--watch-max-lag must be at least 1 and below --watch-history (1000), got 1000");
    assertThatThrownBy(() -> parse("--watch-history", "1"))
        .isInstanceOf(ParameterException.class)
        .hasMessage("--watch-history must be at least 2, got 1");
    assertThatThrownBy(() -> parse("--watch-progress-interval", "0s"))
        .isInstanceOf(ParameterException.class);
  }
}

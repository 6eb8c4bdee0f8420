package org.connectionregistry.bootstrap.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@Feature("Security")
@Story("Clean statuses for bad input")
@DisplayName("Log rate limit: a flood of caller-caused lines is capped and counted")
class RateLimitingFilterTest {

  @Test
  @DisplayName("past the burst, lines are left out and the next line written says how many")
  void pastTheBurstLinesAreLeftOutAndCounted() throws InterruptedException {
    LoggerContext context = new LoggerContext();
    RateLimitingFilter filter = new RateLimitingFilter();
    filter.setPrefix("org.connectionregistry");
    filter.setBurst(3);
    filter.setLinesPerSecond(10);
    filter.setContext(context);
    filter.start();
    context.addTurboFilter(filter);
    Logger logger = context.getLogger("org.connectionregistry.adapter.grpc.server.X");
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.setContext(context);
    appender.start();
    logger.addAppender(appender);
    logger.setLevel(Level.INFO);

    for (int i = 0; i < 10; i++) {
      logger.warn("Warning: Invalid message type: {}", i);
    }
    logger.error("an error always gets through");
    Thread.sleep(250);
    logger.warn("Warning: Invalid message type: later");

    assertThat(appender.list).extracting(ILoggingEvent::getFormattedMessage)
        .containsExactly(
            "Warning: Invalid message type: 0",
            "Warning: Invalid message type: 1",
            "Warning: Invalid message type: 2",
            "an error always gets through",
            "(7 log lines were left out: more than 10 a second)",
            "Warning: Invalid message type: later");
  }
}

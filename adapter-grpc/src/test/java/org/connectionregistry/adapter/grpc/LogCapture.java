package org.connectionregistry.adapter.grpc;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Records what one class logs, so a test can check the lines an operator would read. */
public final class LogCapture implements AutoCloseable {

  private final Logger logger;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  private LogCapture(Class<?> source) {
    this.logger = (Logger) LoggerFactory.getLogger(source);
    appender.start();
    logger.addAppender(appender);
  }

  public static LogCapture of(Class<?> source) {
    return new LogCapture(source);
  }

  public List<ILoggingEvent> events() {
    // Server threads append while tests read; the appender appends under its own lock.
    synchronized (appender) {
      return new ArrayList<>(appender.list);
    }
  }

  /** The formatted lines logged at the given level. */
  public List<String> lines(Level level) {
    return events().stream()
        .filter(event -> event.getLevel() == level)
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
  }
}

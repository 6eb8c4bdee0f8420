package org.connectionregistry.bootstrap.server;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import java.util.Iterator;
import org.slf4j.LoggerFactory;

/** How the server writes its log lines: {@code text} for people, {@code json} for log shippers. */
public enum LogFormat {
  /** logback.xml's own pattern, unchanged: {@code 2025-01-01 12:00:00.000 INFO [main] ... - msg}. */
  TEXT,
  /**
   * One JSON object per line, from logback's own {@link JsonEncoder}: timestamp (epoch millis),
   * level, threadName, loggerName, mdc, formattedMessage and, on failures, the throwable.
   */
  JSON;

  /** Switches the log to this format; lines already written stay as they were. */
  public void apply() {
    if (this == TEXT) {
      return;
    }
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return; // not logback (e.g. a test with another binding): nothing to switch
    }
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
      if (it.next() instanceof OutputStreamAppender<ILoggingEvent> appender) {
        appender.setEncoder(jsonEncoder(context));
      }
    }
  }

  private static JsonEncoder jsonEncoder(LoggerContext context) {
    JsonEncoder encoder = new JsonEncoder();
    encoder.setContext(context);
    // What a shipper indexes: when, how bad, where from, and the message as people read it.
    encoder.setWithSequenceNumber(false);
    encoder.setWithNanoseconds(false);
    encoder.setWithContext(false);
    encoder.setWithMessage(false);
    encoder.setWithArguments(false);
    encoder.setWithFormattedMessage(true);
    encoder.start();
    return encoder;
  }
}

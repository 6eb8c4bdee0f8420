package org.connectionregistry.adapter.store.redis;

import io.lettuce.core.output.CommandOutput;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.connectionregistry.domain.ChangeReason;
import org.connectionregistry.domain.ConnectionStatus;

/**
 * Reads the change log's entries ({@code XREAD}, {@code XRANGE}, {@code XREVRANGE} replies) as
 * {@link LogEntry}s, straight from Redis's reply: the labels and field names, which every entry
 * repeats, are recognised by their bytes rather than decoded, and no map is built per entry.
 * Following the log costs every server one decoded entry per change made anywhere, so this is on
 * every server's hot path.
 *
 * <p>Lettuce hands a reply over as a flat sequence of strings: for {@code XREAD}, the stream's
 * name first, then each entry's ID followed by its field names and values in pairs. An entry ends
 * where the next ID begins: an ID starts with a digit, and none of the log's field names does.
 * Fields this version does not know are skipped, so a later version may add some.
 */
final class ChangeLogOutput extends CommandOutput<String, String, List<ChangeLogOutput.LogEntry>> {

  /**
   * One entry as stored: its stream ID, the fields of the change ({@code null} where missing,
   * {@code at} is {@link Long#MIN_VALUE} when missing or not a number), the server that wrote it
   * (cluster only) and whether it was written after the log lost changes.
   */
  record LogEntry(
      String id, String client, String status, String reason, long at, String origin, boolean reset) {}

  private static final byte[] CLIENT = bytes(ChangeLogReader.CLIENT);
  private static final byte[] STATUS = bytes(ChangeLogReader.STATUS);
  private static final byte[] REASON = bytes(ChangeLogReader.REASON);
  private static final byte[] AT = bytes(ChangeLogReader.AT);
  private static final byte[] ORIGIN = bytes(ChangeLogReader.ORIGIN);
  private static final byte[] RESET = bytes(ChangeLogReader.RESET);
  private static final String[] LABELS;
  private static final byte[][] LABEL_BYTES;

  static {
    List<String> labels = new ArrayList<>();
    for (ConnectionStatus status : ConnectionStatus.values()) {
      labels.add(status.label());
    }
    for (ChangeReason reason : ChangeReason.values()) {
      labels.add(reason.label());
    }
    LABELS = labels.toArray(String[]::new);
    LABEL_BYTES = new byte[LABELS.length][];
    for (int i = 0; i < LABELS.length; i++) {
      LABEL_BYTES[i] = bytes(LABELS[i]);
    }
  }

  private enum Field { NONE, CLIENT, STATUS, REASON, AT, ORIGIN, RESET, OTHER }

  private boolean streamNameAhead;
  private String id;
  private Field pending = Field.NONE;
  private String client;
  private String status;
  private String reason;
  private long at = Long.MIN_VALUE;
  private String origin;
  private boolean reset;

  /**
   * @param streamNameFirst whether the reply names the stream before its entries ({@code XREAD})
   */
  ChangeLogOutput(boolean streamNameFirst) {
    super(OrderPreservingCodec.INSTANCE, new ArrayList<>());
    this.streamNameAhead = streamNameFirst;
  }

  @Override
  public void set(ByteBuffer bytes) {
    if (bytes == null) {
      return; // XREAD BLOCK that timed out: no entries
    }
    if (streamNameAhead) {
      streamNameAhead = false;
      return;
    }
    if (pending != Field.NONE) {
      value(pending, bytes);
      pending = Field.NONE;
      return;
    }
    if (id != null && !startsWithDigit(bytes)) {
      pending = fieldOf(bytes);
      return;
    }
    finishEntry();
    id = OrderPreservingCodec.decode(bytes);
  }

  @Override
  public void complete(int depth) {
    if (depth == 0) {
      finishEntry();
    }
  }

  private void value(Field field, ByteBuffer bytes) {
    switch (field) {
      case CLIENT -> client = OrderPreservingCodec.decode(bytes);
      case STATUS -> status = label(bytes);
      case REASON -> reason = label(bytes);
      case AT -> at = number(bytes);
      case ORIGIN -> origin = OrderPreservingCodec.decode(bytes);
      case RESET -> reset = true;
      default -> {
        // a field of a later version
      }
    }
  }

  private void finishEntry() {
    if (id != null) {
      output.add(new LogEntry(id, client, status, reason, at, origin, reset));
    }
    id = null;
    pending = Field.NONE;
    client = null;
    status = null;
    reason = null;
    at = Long.MIN_VALUE;
    origin = null;
    reset = false;
  }

  private static Field fieldOf(ByteBuffer name) {
    if (is(name, CLIENT)) {
      return Field.CLIENT;
    } else if (is(name, STATUS)) {
      return Field.STATUS;
    } else if (is(name, REASON)) {
      return Field.REASON;
    } else if (is(name, AT)) {
      return Field.AT;
    } else if (is(name, ORIGIN)) {
      return Field.ORIGIN;
    } else if (is(name, RESET)) {
      return Field.RESET;
    }
    return Field.OTHER;
  }

  /** A known label as its one String, else the bytes decoded (the caller rejects them). */
  private static String label(ByteBuffer bytes) {
    for (int i = 0; i < LABEL_BYTES.length; i++) {
      if (is(bytes, LABEL_BYTES[i])) {
        return LABELS[i];
      }
    }
    return OrderPreservingCodec.decode(bytes);
  }

  private static long number(ByteBuffer bytes) {
    int from = bytes.position();
    int to = bytes.limit();
    if (to - from < 1 || to - from > 18) {
      return Long.MIN_VALUE;
    }
    long value = 0;
    for (int i = from; i < to; i++) {
      int digit = bytes.get(i) - '0';
      if (digit < 0 || digit > 9) {
        return Long.MIN_VALUE;
      }
      value = value * 10 + digit;
    }
    return value;
  }

  private static boolean startsWithDigit(ByteBuffer bytes) {
    if (!bytes.hasRemaining()) {
      return false;
    }
    byte first = bytes.get(bytes.position());
    return first >= '0' && first <= '9';
  }

  private static boolean is(ByteBuffer bytes, byte[] expected) {
    int from = bytes.position();
    if (bytes.limit() - from != expected.length) {
      return false;
    }
    for (int i = 0; i < expected.length; i++) {
      if (bytes.get(from + i) != expected[i]) {
        return false;
      }
    }
    return true;
  }

  private static byte[] bytes(String ascii) {
    return ascii.getBytes(StandardCharsets.US_ASCII);
  }
}

package org.connectionregistry.adapter.store.redis;

import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.ToByteBufEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * Strings as CESU-8, whose byte order is exactly {@link String#compareTo} order (UTF-16 code
 * units), so Redis's sorted sets page client IDs in the port's order (see {@link
 * RedisConnectionRegistry}). The bytes are exactly those of Lettuce's {@code StringCodec} for
 * CESU-8, written without its per-string {@code CharsetEncoder} and scratch buffer: CESU-8 writes
 * every UTF-16 code unit on its own, in one, two or three bytes, so a string's size is known
 * before it is written and its bytes go straight into the command. Replies that are plain ASCII
 * (labels, numbers, most client IDs) are read as such; anything else is decoded as CESU-8.
 */
final class OrderPreservingCodec implements RedisCodec<String, String>, ToByteBufEncoder<String, String> {

  static final Charset CESU_8 = Charset.forName("CESU-8");
  static final OrderPreservingCodec INSTANCE = new OrderPreservingCodec();

  private static final byte REPLACEMENT = '?';

  private OrderPreservingCodec() {}

  @Override
  public void encodeKey(String key, ByteBuf target) {
    encode(key, target);
  }

  @Override
  public void encodeValue(String value, ByteBuf target) {
    encode(value, target);
  }

  /** The exact number of bytes {@link #encode} writes. */
  @Override
  public int estimateSize(Object keyOrValue) {
    if (!(keyOrValue instanceof String string)) {
      return 0;
    }
    int size = 0;
    for (int i = 0, n = string.length(); i < n; i++) {
      char c = string.charAt(i);
      if (c < 0x80) {
        size += 1;
      } else if (c < 0x800) {
        size += 2;
      } else if (Character.isSurrogate(c) && !pairedAt(string, i)) {
        size += 1; // a lone surrogate is not a character: written as '?', as the JDK's encoder does
      } else {
        size += 3;
      }
    }
    return size;
  }

  @Override
  public boolean isEstimateExact() {
    return true;
  }

  @Override
  public ByteBuffer encodeKey(String key) {
    return encodeToBuffer(key);
  }

  @Override
  public ByteBuffer encodeValue(String value) {
    return encodeToBuffer(value);
  }

  @Override
  public String decodeKey(ByteBuffer bytes) {
    return decode(bytes);
  }

  @Override
  public String decodeValue(ByteBuffer bytes) {
    return decode(bytes);
  }

  static void encode(String string, ByteBuf target) {
    if (string == null) {
      return;
    }
    int n = string.length();
    target.ensureWritable(n);
    for (int i = 0; i < n; i++) {
      char c = string.charAt(i);
      if (c < 0x80) {
        target.writeByte(c);
      } else if (c < 0x800) {
        target.writeByte(0xC0 | (c >> 6));
        target.writeByte(0x80 | (c & 0x3F));
      } else if (Character.isSurrogate(c) && !pairedAt(string, i)) {
        target.writeByte(REPLACEMENT);
      } else {
        // Every other code unit, each half of a surrogate pair included, in three bytes.
        target.writeByte(0xE0 | (c >> 12));
        target.writeByte(0x80 | ((c >> 6) & 0x3F));
        target.writeByte(0x80 | (c & 0x3F));
      }
    }
  }

  /** Whether the surrogate at {@code i} is half of a well-formed pair. */
  private static boolean pairedAt(String string, int i) {
    char c = string.charAt(i);
    if (Character.isHighSurrogate(c)) {
      return i + 1 < string.length() && Character.isLowSurrogate(string.charAt(i + 1));
    }
    return i > 0 && Character.isHighSurrogate(string.charAt(i - 1));
  }

  private ByteBuffer encodeToBuffer(String string) {
    if (string == null) {
      return ByteBuffer.allocate(0);
    }
    byte[] bytes = new byte[estimateSize(string)];
    ByteBuf target = Unpooled.wrappedBuffer(bytes);
    target.writerIndex(0);
    encode(string, target);
    return ByteBuffer.wrap(bytes);
  }

  static String decode(ByteBuffer bytes) {
    byte[] read = new byte[bytes.remaining()];
    bytes.get(read);
    for (byte b : read) {
      if (b < 0) {
        return new String(read, CESU_8);
      }
    }
    return new String(read, StandardCharsets.ISO_8859_1); // all ASCII: one byte, one char
  }
}

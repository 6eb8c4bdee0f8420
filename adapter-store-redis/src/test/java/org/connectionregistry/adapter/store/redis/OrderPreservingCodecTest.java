package org.connectionregistry.adapter.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.codec.StringCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@Feature("Storage")
@Story("Redis store")
@DisplayName("The Redis store's codec writes and reads exactly the bytes of Lettuce's CESU-8 StringCodec")
class OrderPreservingCodecTest {

  private static final StringCodec REFERENCE = new StringCodec(OrderPreservingCodec.CESU_8);
  private static final OrderPreservingCodec CODEC = OrderPreservingCodec.INSTANCE;

  private static byte[] referenceBytes(String string) {
    ByteBuffer encoded = REFERENCE.encodeValue(string);
    byte[] bytes = new byte[encoded.remaining()];
    encoded.get(bytes);
    return bytes;
  }

  private static byte[] codecBytes(String string) {
    ByteBuf target = Unpooled.buffer();
    target.writeByte('x'); // written after what the buffer holds already
    CODEC.encodeValue(string, target);
    byte[] bytes = new byte[target.readableBytes() - 1];
    target.getBytes(1, bytes);
    return bytes;
  }

  private static List<String> samples() {
    List<String> samples = new ArrayList<>(List.of(
        "", "user_00042", "connreg:statuses", "Zoë", "Ünïcødé-ß", "用户", "ｆｕｌｌ", "\u07FF\u0800\uFFFF",
        "𝐀lpha", "a\uD835\uDC00b", "\uD800", "lone\uDC00low", "high at end\uD835", "\uDC00\uD800",
        "12345:1700000000000", "\u0000nul"));
    Random random = new Random(42);
    for (int i = 0; i < 2_000; i++) {
      StringBuilder string = new StringBuilder();
      int length = random.nextInt(12);
      for (int j = 0; j < length; j++) {
        switch (random.nextInt(5)) {
          case 0 -> string.append((char) random.nextInt(0x80));
          case 1 -> string.append((char) (0x80 + random.nextInt(0x780)));
          case 2 -> string.append((char) random.nextInt(0x10000));
          case 3 -> string.appendCodePoint(0x10000 + random.nextInt(0x100000));
          default -> string.append((char) (0xD800 + random.nextInt(0x800)));
        }
      }
      samples.add(string.toString());
    }
    return samples;
  }

  @Test
  @DisplayName("every string, surrogate pairs and lone surrogates included, is written as the same bytes, whose size is known in advance")
  void writesTheSameBytes() {
    for (String sample : samples()) {
      byte[] expected = referenceBytes(sample);
      assertThat(codecBytes(sample)).as("bytes of %s", sample.codePoints().boxed().toList()).isEqualTo(expected);
      assertThat(CODEC.estimateSize(sample)).as("size of %s", sample).isEqualTo(expected.length);
      ByteBuffer alone = CODEC.encodeKey(sample);
      byte[] aloneBytes = new byte[alone.remaining()];
      alone.get(aloneBytes);
      assertThat(aloneBytes).isEqualTo(expected);
    }
  }

  @Test
  @DisplayName("every byte string, malformed ones included, reads as the same string, and what it writes reads back unchanged")
  void readsTheSameStrings() {
    for (String sample : samples()) {
      byte[] bytes = referenceBytes(sample);
      assertThat(CODEC.decodeValue(ByteBuffer.wrap(bytes))).isEqualTo(REFERENCE.decodeValue(ByteBuffer.wrap(bytes)));
      if (sample.codePoints().noneMatch(c -> Character.isSurrogate((char) c) && c < 0x10000)) {
        assertThat(CODEC.decodeKey(ByteBuffer.wrap(bytes))).isEqualTo(sample);
      }
    }
    Random random = new Random(7);
    for (int i = 0; i < 5_000; i++) {
      byte[] bytes = new byte[random.nextInt(10)];
      random.nextBytes(bytes);
      ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length + 2);
      direct.put((byte) 'a').put(bytes).put((byte) 'z').flip();
      direct.position(1).limit(bytes.length + 1);
      assertThat(CODEC.decodeValue(direct)).isEqualTo(REFERENCE.decodeValue(ByteBuffer.wrap(bytes)));
    }
  }

  @Test
  @DisplayName("its bytes sort client IDs in the port's order (String.compareTo), as plain UTF-8 would not")
  void bytesSortLikeStrings() {
    List<String> samples = samples().stream()
        .filter(s -> s.codePoints().noneMatch(c -> c < 0x10000 && Character.isSurrogate((char) c)))
        .toList();
    Random random = new Random(3);
    for (int i = 0; i < 5_000; i++) {
      String a = samples.get(random.nextInt(samples.size()));
      String b = samples.get(random.nextInt(samples.size()));
      int bytes = java.util.Arrays.compareUnsigned(codecBytes(a), codecBytes(b));
      assertThat(Integer.signum(bytes)).as("%s vs %s", a, b).isEqualTo(Integer.signum(a.compareTo(b)));
    }
  }
}

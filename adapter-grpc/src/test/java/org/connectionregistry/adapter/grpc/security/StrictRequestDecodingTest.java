package org.connectionregistry.adapter.grpc.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import io.grpc.KnownLength;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.connectionregistry.proto.ListClientsRequest;
import org.connectionregistry.proto.MessageRequest;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@Feature("Security")
@Story("Clean statuses for bad input")
@DisplayName("Strict request decoding: parse first only where protobuf checks every string")
class StrictRequestDecodingTest {

  /** A stream that knows its length, as gRPC's deframer hands requests over. */
  private static class KnownLengthStream extends ByteArrayInputStream implements KnownLength {
    KnownLengthStream(byte[] bytes) {
      super(bytes);
    }
  }

  @Test
  @DisplayName("the registry's proto3 requests have every string checked by protobuf's parser")
  void theRegistrysRequestsHaveEveryStringCheckedByTheParser() {
    assertThat(StrictRequestDecoding.parserChecksUtf8(MessageRequest.getDescriptor())).isTrue();
    assertThat(StrictRequestDecoding.parserChecksUtf8(ListClientsRequest.getDescriptor())).isTrue();
  }

  @Test
  @DisplayName("a proto2 message, whose strings protobuf parses unchecked, is walked before parsing")
  void aProto2MessageIsWalkedBeforeParsing() {
    assertThat(StrictRequestDecoding.parserChecksUtf8(FileDescriptorProto.getDescriptor()))
        .isFalse();
  }

  @Test
  @DisplayName("a request's bytes are read whole, from a stream that knows its length or not")
  void aRequestsBytesAreReadWhole() throws IOException {
    byte[] request =
        MessageRequest.newBuilder().setClientId("user_1").setMessage("Hello").build().toByteArray();

    assertThat(StrictRequestDecoding.readAll(new KnownLengthStream(request))).isEqualTo(request);
    assertThat(StrictRequestDecoding.readAll(new ByteArrayInputStream(request)))
        .isEqualTo(request);
    assertThat(StrictRequestDecoding.readAll(new KnownLengthStream(new byte[0]))).isEmpty();
    byte[] text = "a longer request".getBytes(StandardCharsets.UTF_8);
    // available() is only a hint for other streams: one that says less still gives everything.
    KnownLengthStream understated =
        new KnownLengthStream(text) {
          @Override
          public synchronized int available() {
            return 3;
          }
        };
    assertThat(StrictRequestDecoding.readAll(understated)).isEqualTo(text);
  }
}

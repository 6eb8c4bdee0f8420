package org.connectionregistry.adapter.grpc.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Level;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.stream.Stream;
import org.connectionregistry.adapter.grpc.LogCapture;
import org.connectionregistry.adapter.grpc.Loopback;
import org.connectionregistry.adapter.grpc.server.ClientServiceEndpoint;
import org.connectionregistry.adapter.grpc.server.GrpcServer;
import org.connectionregistry.application.service.ConnectionService;
import org.connectionregistry.domain.InMemoryConnectionRegistry;
import org.connectionregistry.proto.ClientServiceGrpc;
import org.connectionregistry.proto.MessageRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Requests that do not decode, sent as raw bytes over real Netty, as an attacker or a broken
 * client would: each gets INVALID_ARGUMENT naming what is wrong, one log line at most, and no
 * stack trace.
 */
@Feature("Security")
@Story("Clean statuses for bad input")
@DisplayName("Bad requests: undecodable bytes and huge descriptions get clean statuses")
class BadRequestsTest {

  private static final byte[] NOT_UTF8 = {(byte) 0xC3, 0x28};
  /** U+1F600 written as two CESU-8 surrogates, which UTF-8 forbids. */
  private static final byte[] CESU8_SURROGATES = {
    (byte) 0xED, (byte) 0xA0, (byte) 0xBD, (byte) 0xED, (byte) 0xB8, (byte) 0x80
  };

  private final InMemoryConnectionRegistry registry = new InMemoryConnectionRegistry();
  private GrpcServer server;
  private ManagedChannel channel;
  private LogCapture decodingLog;
  private final List<LogRecord> grpcLog = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final Handler grpcLogHandler =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          grpcLog.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void serve() throws IOException {
    decodingLog = LogCapture.of(StrictRequestDecoding.class);
    java.util.logging.Logger.getLogger("io.grpc").addHandler(grpcLogHandler);
    ConnectionService service = new ConnectionService(registry);
    server =
        new GrpcServer(Loopback.serverBuilder(), new ClientServiceEndpoint(service, service, service))
            .start();
    channel = Loopback.channelTo(server.port());
  }

  @AfterEach
  void stop() throws InterruptedException {
    Loopback.close(channel);
    server.stop(Duration.ZERO);
    decodingLog.close();
    java.util.logging.Logger.getLogger("io.grpc").removeHandler(grpcLogHandler);
  }

  static Stream<Arguments> undecodableRequests() {
    return Stream.of(
        Arguments.of("SendMessage", field(1, NOT_UTF8, field(2, "Hello".getBytes())),
            "Field client_id is not valid UTF-8 text"),
        Arguments.of("SendMessage", field(1, "user_1".getBytes(), field(2, NOT_UTF8)),
            "Field message is not valid UTF-8 text"),
        Arguments.of("SendMessage", field(1, CESU8_SURROGATES, field(2, "Hello".getBytes())),
            "Field client_id is not valid UTF-8 text"),
        Arguments.of("GetClientStatus", field(1, NOT_UTF8),
            "Field client_id is not valid UTF-8 text"),
        Arguments.of("GetClientStatus", field(1, CESU8_SURROGATES),
            "Field client_id is not valid UTF-8 text"),
        Arguments.of("ListClients", field(1, NOT_UTF8),
            "Field after_client_id is not valid UTF-8 text"),
        Arguments.of("SendMessage", new byte[] {0x0A, 0x05, 'u'},
            "The request is not a valid client_service.MessageRequest message"),
        Arguments.of("GetClientStatus", new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF},
            "The request is not a valid client_service.ClientStatusRequest message"));
  }

  @ParameterizedTest(name = "{0} with {2}")
  @MethodSource("undecodableRequests")
  @DisplayName("a request that does not decode is INVALID_ARGUMENT naming the field, logged once")
  void aRequestThatDoesNotDecodeIsInvalidArgumentNamingTheField(
      String method, byte[] request, String description) {
    StatusRuntimeException error = callRaw(method, request);

    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(error.getStatus().getDescription()).isEqualTo(description);
    assertThat(decodingLog.lines(Level.INFO)).hasSize(1).first().asString().contains(description);
    assertThat(grpcLog).as("gRPC's own log (SEVERE stack traces)").isEmpty();
    assertThat(registry.size()).isZero();
  }

  @Test
  @DisplayName("after a bad request the same connection serves good ones")
  void afterABadRequestTheSameConnectionServesGoodOnes() {
    callRaw("SendMessage", field(1, NOT_UTF8, field(2, "Hello".getBytes())));

    String info =
        ClientServiceGrpc.newBlockingStub(channel)
            .sendMessage(MessageRequest.newBuilder().setClientId("user_1").setMessage("Hello").build())
            .getInfo();
    assertThat(info).isEqualTo("Client user_1 marked as connected.");
  }

  @Test
  @DisplayName("a rejected message of 900 Chinese characters still reaches the caller as INVALID_ARGUMENT")
  void aRejectedMessageOf900ChineseCharactersStillReachesTheCaller() {
    String message = "中".repeat(900);
    StatusRuntimeException error =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                ClientServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(5, TimeUnit.SECONDS)
                    .sendMessage(
                        MessageRequest.newBuilder().setClientId("user_1").setMessage(message).build()));

    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(error.getStatus().getDescription())
        .startsWith("Invalid message type: 中中中")
        .endsWith(" more characters)");
  }

  @Test
  @DisplayName("a description that fits is sent whole, one that does not is cut at a character")
  void aDescriptionThatFitsIsSentWhole() {
    assertThat(BoundedStatusDescriptions.bound("Client user_1 not found"))
        .isEqualTo("Client user_1 not found");
    String ascii = "a".repeat(BoundedStatusDescriptions.MAX_ENCODED_BYTES);
    assertThat(BoundedStatusDescriptions.bound(ascii)).isEqualTo(ascii);
    String emoji = "\uD83D\uDE00".repeat(1000);
    String cut = BoundedStatusDescriptions.bound(emoji);
    assertThat(cut).endsWith(" more characters)");
    int encoded = cut.codePoints().map(BoundedStatusDescriptions::encodedSize).sum();
    assertThat(encoded).isLessThanOrEqualTo(BoundedStatusDescriptions.MAX_ENCODED_BYTES);
    assertThat(Character.isHighSurrogate(cut.charAt(cut.indexOf("...") - 1))).isFalse();
  }

  @Test
  @DisplayName("a store failure's description loses internal object names, a caller's echo keeps its text")
  void aStoreFailuresDescriptionLosesInternalObjectNames() {
    String engine =
        "Store file /data/registry.db failed to write: Writing to sun.nio.ch.FileChannelImpl@6d06d69c"
            + " failed; length 4096 at 12288";

    assertThat(BoundedStatusDescriptions.withoutInternalNames(Status.Code.UNAVAILABLE, engine))
        .isEqualTo("Store file /data/registry.db failed to write: Writing to an internal object"
            + " failed; length 4096 at 12288");
    assertThat(BoundedStatusDescriptions.withoutInternalNames(
            Status.Code.NOT_FOUND, "Client mail.Bob@deadbeef not found"))
        .isEqualTo("Client mail.Bob@deadbeef not found");
  }

  private StatusRuntimeException callRaw(String method, byte[] request) {
    MethodDescriptor<byte[], byte[]> raw =
        MethodDescriptor.<byte[], byte[]>newBuilder(RAW, RAW)
            .setType(
                method.equals("ListClients")
                    ? MethodDescriptor.MethodType.SERVER_STREAMING
                    : MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(ClientServiceGrpc.SERVICE_NAME + "/" + method)
            .build();
    CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS);
    return catchThrowableOfType(
        StatusRuntimeException.class,
        () -> {
          Iterator<byte[]> answers =
              ClientCalls.blockingServerStreamingCall(channel, raw, options, request);
          while (answers.hasNext()) {
            answers.next();
          }
        });
  }

  /** A length-delimited protobuf field, followed by {@code rest}. */
  private static byte[] field(int number, byte[] value, byte[]... rest) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(number << 3 | 2);
    out.write(value.length);
    out.writeBytes(value);
    for (byte[] more : rest) {
      out.writeBytes(more);
    }
    return out.toByteArray();
  }

  private static final MethodDescriptor.Marshaller<byte[]> RAW =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }
      };
}

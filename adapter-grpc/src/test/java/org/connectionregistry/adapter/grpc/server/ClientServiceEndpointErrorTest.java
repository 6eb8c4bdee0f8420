package org.connectionregistry.adapter.grpc.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.adapter.grpc.LogCapture;
import org.connectionregistry.adapter.grpc.Loopback;
import org.connectionregistry.application.port.in.GetClientStatusUseCase;
import org.connectionregistry.application.port.in.ListClientsUseCase;
import org.connectionregistry.application.port.in.SendMessageUseCase;
import org.connectionregistry.application.service.ConnectionService;
import org.connectionregistry.domain.InMemoryConnectionRegistry;
import org.connectionregistry.domain.RegistryUnavailableException;
import org.connectionregistry.proto.ClientServiceGrpc;
import org.connectionregistry.proto.ClientStatusRequest;
import org.connectionregistry.proto.MessageRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What callers and operators see when the use cases fail, over real Netty. */
@Feature("Server")
@Story("Errors reach the client as gRPC statuses")
@DisplayName("gRPC service: errors the in-memory registry cannot make")
class ClientServiceEndpointErrorTest {

  private final ConnectionService working = new ConnectionService(new InMemoryConnectionRegistry());
  private GrpcServer server;
  private ManagedChannel channel;
  private LogCapture log;

  @BeforeEach
  void captureLog() {
    log = LogCapture.of(ClientServiceEndpoint.class);
  }

  @AfterEach
  void closeEverything() throws InterruptedException {
    Loopback.close(channel);
    if (server != null) {
      server.stop(Duration.ZERO);
    }
    log.close();
  }

  @Test
  @DisplayName("an unavailable registry is UNAVAILABLE with its message on every call")
  void anUnavailableRegistryIsUnavailableWithItsMessageOnEveryCall() throws IOException {
    RegistryUnavailableException down = new RegistryUnavailableException("Store /data/x is locked");
    serve(
        command -> {
          throw down;
        },
        clientId -> {
          throw down;
        },
        () -> {
          throw down;
        });

    for (StatusRuntimeException error :
        List.of(sendRejected("user_1", "Hello"), statusRejected("user_1"), statusRejected(""))) {
      assertThat(codeAndDescription(error)).isEqualTo("UNAVAILABLE: Store /data/x is locked");
    }
  }

  @Test
  @DisplayName("an unexpected failure is INTERNAL, generically described, its stack trace logged")
  void anUnexpectedFailureIsInternalWithAGenericDescriptionAndItsStackTraceIsLogged()
      throws IOException {
    IllegalStateException bug = new IllegalStateException("secret table name");
    serve(
        command -> {
          throw bug;
        },
        clientId -> {
          throw bug;
        },
        () -> {
          throw bug;
        });

    List<StatusRuntimeException> errors =
        List.of(sendRejected("user_1", "Hello"), statusRejected("user_1"), statusRejected(""));

    for (StatusRuntimeException error : errors) {
      assertThat(codeAndDescription(error)).isEqualTo("INTERNAL: Internal server error");
    }
    assertThat(log.events())
        .filteredOn(event -> event.getLevel() == Level.ERROR)
        .hasSize(3)
        .extracting(ILoggingEvent::getThrowableProxy)
        .allSatisfy(thrown -> assertThat(thrown.getMessage()).isEqualTo("secret table name"));
  }

  @Test
  @DisplayName("a huge invalid message is still answered with a shortened description")
  void aHugeInvalidMessageIsStillAnsweredWithAShortenedDescription() throws IOException {
    serve(working, working, working);
    String huge = "x".repeat(100_000);

    StatusRuntimeException error = sendRejected("user_1", huge);

    assertThat(error.getStatus().getCode())
        .as(codeAndDescription(error))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(error.getStatus().getDescription())
        .startsWith("Invalid message type: xxxx")
        .endsWith("more characters)")
        .hasSizeLessThan(1100);
  }

  @Test
  @DisplayName("an invalid message with line breaks cannot forge lines in the server log")
  void anInvalidMessageWithLineBreaksCannotForgeLinesInTheServerLog() throws IOException {
    serve(working, working, working);

    StatusRuntimeException error = sendRejected("user_1", "Hi\nWarning: fake line");

    assertThat(error.getStatus().getDescription())
        .isEqualTo("Invalid message type: Hi\nWarning: fake line");
    assertThat(log.lines(Level.WARN))
        .containsExactly("Warning: Invalid message type: Hi\\nWarning: fake line");
  }

  private void serve(
      SendMessageUseCase send, GetClientStatusUseCase status, ListClientsUseCase list)
      throws IOException {
    server =
        new GrpcServer(Loopback.serverBuilder(), new ClientServiceEndpoint(send, status, list))
            .start();
    channel = Loopback.channelTo(server.port());
  }

  private ClientServiceGrpc.ClientServiceBlockingStub stub() {
    return ClientServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private StatusRuntimeException sendRejected(String clientId, String message) {
    return catchThrowableOfType(
        StatusRuntimeException.class,
        () ->
            stub()
                .sendMessage(
                    MessageRequest.newBuilder().setClientId(clientId).setMessage(message).build()));
  }

  private StatusRuntimeException statusRejected(String clientId) {
    return catchThrowableOfType(
        StatusRuntimeException.class,
        () ->
            stub().getClientStatus(ClientStatusRequest.newBuilder().setClientId(clientId).build()));
  }

  /** What came back, as one string: {@code INVALID_ARGUMENT: Invalid message type: Hurrah}. */
  private static String codeAndDescription(StatusRuntimeException error) {
    return error == null
        ? "no error: the call succeeded"
        : error.getStatus().getCode() + ": " + error.getStatus().getDescription();
  }
}

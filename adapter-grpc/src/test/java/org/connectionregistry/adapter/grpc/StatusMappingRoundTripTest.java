package org.connectionregistry.adapter.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.connectionregistry.adapter.grpc.client.GrpcConnectionClient;
import org.connectionregistry.adapter.grpc.server.ClientServiceEndpoint;
import org.connectionregistry.adapter.grpc.server.GrpcServer;
import org.connectionregistry.application.port.in.GetClientStatusUseCase;
import org.connectionregistry.application.port.in.ListClientsUseCase;
import org.connectionregistry.application.port.in.RemoteCallFailedException;
import org.connectionregistry.application.port.in.SendMessageCommand;
import org.connectionregistry.application.port.in.SendMessageUseCase;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ClientNotFoundException;
import org.connectionregistry.domain.DomainException;
import org.connectionregistry.domain.InvalidClientIdException;
import org.connectionregistry.domain.InvalidInputException;
import org.connectionregistry.domain.InvalidMessageException;
import org.connectionregistry.domain.RegistryUnavailableException;
import org.connectionregistry.domain.StatusChange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The server maps a domain error to a status, the client maps the status back: over real Netty,
 * the caller gets the error the server's use case threw, of the same kind and with the same
 * description.
 */
@DisplayName("Status mapping: what the server's use case throws, the remote caller gets back")
@Feature("Server")
@Story("Errors reach the client as gRPC statuses")
class StatusMappingRoundTripTest {

  private static final String LONG_INPUT = "x".repeat(5000);

  /** Each domain error the server's use cases may throw, through each call it may fail. */
  static Stream<Case> cases() {
    return Stream.of(
        new Case(Call.SEND, new InvalidMessageException("Hi "), InvalidMessageException.class),
        new Case(
            Call.SEND,
            new InvalidClientIdException("Client ID must not be empty"),
            InvalidInputException.class),
        new Case(
            Call.GET,
            new InvalidClientIdException("Client ID must not be empty"),
            InvalidInputException.class),
        new Case(
            Call.LIST,
            new InvalidClientIdException("Client ID must not be empty"),
            InvalidInputException.class),
        new Case(Call.SEND, new InvalidInputException(LONG_INPUT), InvalidInputException.class),
        new Case(
            Call.GET,
            new ClientNotFoundException(ClientId.of("ghost")),
            ClientNotFoundException.class),
        new Case(
            Call.SEND,
            new RegistryUnavailableException("Store /data/x is locked"),
            RegistryUnavailableException.class),
        new Case(
            Call.GET,
            new RegistryUnavailableException("Store /data/x is locked"),
            RegistryUnavailableException.class),
        new Case(
            Call.LIST,
            new RegistryUnavailableException("Store /data/x is locked"),
            RegistryUnavailableException.class),
        new Case(Call.SEND, new IllegalStateException("bug"), RemoteCallFailedException.class),
        new Case(Call.GET, new IllegalStateException("bug"), RemoteCallFailedException.class),
        new Case(Call.LIST, new IllegalStateException("bug"), RemoteCallFailedException.class));
  }

  private GrpcServer server;
  private ManagedChannel channel;

  @AfterEach
  void closeEverything() throws InterruptedException {
    Loopback.close(channel);
    if (server != null) {
      server.stop(Duration.ZERO);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  @DisplayName("an error thrown on the server comes back to the client as the same kind and words")
  void anErrorComesBackAsTheSameKindAndWords(Case roundTrip) throws IOException {
    FailingUseCases failing = new FailingUseCases(roundTrip.thrown());
    server =
        new GrpcServer(
                Loopback.serverBuilder(), new ClientServiceEndpoint(failing, failing, failing))
            .start();
    String target = Loopback.target(server.port());
    channel = Loopback.channelTo(server.port());
    GrpcConnectionClient client = new GrpcConnectionClient(channel, target, Duration.ofSeconds(10));

    Throwable caught = catchThrowable(() -> roundTrip.call().on(client));

    assertThat(caught).isExactlyInstanceOf(roundTrip.comesBackAs());
    assertThat(caught).hasMessage(roundTrip.expectedMessage(target));
    if (caught instanceof ClientNotFoundException notFound) {
      assertThat(notFound.clientId()).isEqualTo(ClientId.of("ghost"));
    }
    if (caught instanceof InvalidMessageException invalid) {
      assertThat(invalid.rejectedMessage()).isEqualTo("Hi ");
    }
  }

  @Test
  @DisplayName("the round trips cover every domain error and every status code the server sends")
  void theRoundTripsCoverEveryDomainErrorAndEveryStatusCodeTheServerSends() {
    List<Case> all = cases().toList();

    Set<Class<?>> thrown = all.stream().map(c -> c.thrown().getClass()).collect(Collectors.toSet());
    Set<Status.Code> codes =
        all.stream()
            .map(c -> StatusMapping.toStatus(c.thrown()).getCode())
            .collect(Collectors.toSet());

    assertThat(thrown)
        .contains(
            InvalidMessageException.class,
            InvalidClientIdException.class,
            InvalidInputException.class,
            ClientNotFoundException.class,
            RegistryUnavailableException.class);
    assertThat(codes)
        .containsExactlyInAnyOrder(
            Status.Code.INVALID_ARGUMENT,
            Status.Code.NOT_FOUND,
            Status.Code.UNAVAILABLE,
            Status.Code.INTERNAL);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(
      value = Status.Code.class,
      names = {"OK", "INVALID_ARGUMENT", "NOT_FOUND", "UNAVAILABLE"},
      mode = EnumSource.Mode.EXCLUDE)
  @DisplayName("a status code no domain error maps to is a failed remote call, not a broken rule")
  void aCodeNoDomainErrorMapsToIsAFailedRemoteCall(Status.Code code) {
    StatusMapping mapping = new StatusMapping("host:1", Duration.ofMillis(200));
    StatusRuntimeException failure =
        Status.fromCode(code).withDescription("why").asRuntimeException();
    SendMessageCommand command = new SendMessageCommand(ClientId.of("user_1"), "Hello");

    for (RuntimeException mapped :
        List.of(
            mapping.sendMessageFailed(failure, command),
            mapping.getClientStatusFailed(failure, ClientId.of("user_1")),
            mapping.listingFailed(failure))) {
      assertThat(mapped)
          .isInstanceOf(RemoteCallFailedException.class)
          .isNotInstanceOf(DomainException.class);
      assertThat(mapped.getMessage()).startsWith("Server host:1 ");
    }
  }

  @Test
  @DisplayName(
      "an unreachable server is a failed remote call; a registry the server cannot reach is a"
          + " domain error")
  void unreachableServerIsAFailedCallButAnUnavailableRegistryIsADomainError() {
    StatusMapping mapping = new StatusMapping("host:1", Duration.ofMillis(200));
    StatusRuntimeException refused =
        Status.UNAVAILABLE
            .withDescription("io exception")
            .withCause(new ConnectException("Connection refused"))
            .asRuntimeException();
    StatusRuntimeException sentByServer =
        Status.UNAVAILABLE.withDescription("Store /data/x is locked").asRuntimeException();

    assertThat(mapping.listingFailed(refused))
        .isExactlyInstanceOf(RemoteCallFailedException.class)
        .hasMessage("Server host:1 is unavailable (connection refused)");
    assertThat(mapping.listingFailed(sentByServer))
        .isExactlyInstanceOf(RegistryUnavailableException.class)
        .hasMessage("Server host:1 is unavailable (Store /data/x is locked)");
  }

  /** Which use case the client calls. */
  enum Call {
    SEND {
      @Override
      void on(GrpcConnectionClient client) {
        client.sendMessage(new SendMessageCommand(ClientId.of("user_1"), "Hi "));
      }
    },
    GET {
      @Override
      void on(GrpcConnectionClient client) {
        client.getClientStatus(ClientId.of("ghost"));
      }
    },
    LIST {
      @Override
      void on(GrpcConnectionClient client) {
        client.forEachClientPage(page -> {});
      }
    };

    abstract void on(GrpcConnectionClient client);
  }

  record Case(Call call, RuntimeException thrown, Class<? extends RuntimeException> comesBackAs) {

    /** The server's description (bounded as it travels), or its words for a fault of its own. */
    String expectedMessage(String target) {
      if (thrown instanceof RegistryUnavailableException) {
        return "Server " + target + " is unavailable (" + thrown.getMessage() + ")";
      }
      if (!(thrown instanceof DomainException)) {
        return "Server "
            + target
            + " failed the call: INTERNAL ("
            + StatusMapping.INTERNAL_ERROR_DESCRIPTION
            + ")";
      }
      return StatusMapping.bounded(thrown.getMessage());
    }

    @Override
    public String toString() {
      String message = thrown.getMessage();
      return call
          + " failing with "
          + thrown.getClass().getSimpleName()
          + " ("
          + (message.length() > 40 ? message.substring(0, 40) + "..." : message)
          + ") comes back as "
          + comesBackAs.getSimpleName();
    }
  }

  /** Use cases that all fail with one error, as a server's would. */
  private static final class FailingUseCases
      implements SendMessageUseCase, GetClientStatusUseCase, ListClientsUseCase {
    private final RuntimeException failure;

    FailingUseCases(RuntimeException failure) {
      this.failure = failure;
    }

    @Override
    public StatusChange sendMessage(SendMessageCommand command) {
      throw failure;
    }

    @Override
    public ClientConnection getClientStatus(ClientId clientId) {
      throw failure;
    }

    @Override
    public List<ClientConnection> listClients() {
      throw failure;
    }

    @Override
    public List<ClientConnection> listClientsPage(Optional<ClientId> after, int limit) {
      throw failure;
    }

    @Override
    public void forEachClientPage(Consumer<? super List<ClientConnection>> pages) {
      throw failure;
    }
  }
}

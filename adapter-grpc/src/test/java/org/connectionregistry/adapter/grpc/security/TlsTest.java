package org.connectionregistry.adapter.grpc.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.ChannelCredentials;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLSession;
import org.connectionregistry.adapter.grpc.Loopback;
import org.connectionregistry.adapter.grpc.server.ClientServiceEndpoint;
import org.connectionregistry.adapter.grpc.server.GrpcServer;
import org.connectionregistry.application.service.ConnectionService;
import org.connectionregistry.domain.InMemoryConnectionRegistry;
import org.connectionregistry.proto.ClientServiceGrpc;
import org.connectionregistry.proto.MessageRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real TLS handshakes over loopback, with certificates the test makes. */
@Feature("Security")
@Story("TLS")
@DisplayName("TLS: the server proves itself, and with mTLS so do its clients")
class TlsTest {

  @TempDir Path dir;
  private ServerTls tls;
  private GrpcServer server;
  private ManagedChannel channel;
  private final AtomicReference<SSLSession> lastSession = new AtomicReference<>();

  @AfterEach
  void stop() throws InterruptedException {
    Loopback.close(channel);
    if (server != null) {
      server.stop(Duration.ZERO);
    }
  }

  @Test
  @DisplayName("a client that trusts the server's CA completes a TLS handshake, on BoringSSL")
  void aClientThatTrustsTheServersCaCompletesAHandshake() throws Exception {
    TestPki.Issued ca = TestPki.authority("Test CA");
    Path[] files = TestPki.server(ca).writeTo(dir, "server");
    serve(files, null, CallProtection.none());

    String info = send(ClientCredentials.channel(true, ca.writeCertificate(dir.resolve("ca.crt")), null, null), "user_1");

    assertThat(info).isEqualTo("Client user_1 marked as connected.");
    assertThat(lastSession.get().getProtocol()).startsWith("TLSv1.");
    assertThat(lastSession.get().getClass().getName())
        .as("the native (netty-tcnative BoringSSL) engine's session")
        .contains("OpenSsl");
  }

  @Test
  @DisplayName("a client that trusts another CA refuses the server")
  void aClientThatTrustsAnotherCaRefusesTheServer() throws Exception {
    TestPki.Issued ca = TestPki.authority("Test CA");
    serve(TestPki.server(ca).writeTo(dir, "server"), null, CallProtection.none());
    Path otherCa = TestPki.authority("Other CA").writeCertificate(dir.resolve("other.crt"));

    StatusRuntimeException error = sendRefused(ClientCredentials.channel(true, otherCa, null, null), "user_1");

    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
  }

  @Test
  @DisplayName("an expired server certificate is refused")
  void anExpiredServerCertificateIsRefused() throws Exception {
    TestPki.Issued ca = TestPki.authority("Test CA");
    Instant lastWeek = Instant.now().minus(Duration.ofDays(7));
    serve(TestPki.server(ca, lastWeek, Duration.ofDays(1)).writeTo(dir, "server"), null, CallProtection.none());

    StatusRuntimeException error =
        sendRefused(ClientCredentials.channel(true, ca.writeCertificate(dir.resolve("ca.crt")), null, null), "user_1");

    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
  }

  @Test
  @DisplayName("with mTLS, a client without a certificate or with one of another CA is refused")
  void withMtlsAClientWithoutACertificateOrWithOneOfAnotherCaIsRefused() throws Exception {
    TestPki.Issued ca = TestPki.authority("Test CA");
    Path caFile = ca.writeCertificate(dir.resolve("ca.crt"));
    serve(TestPki.server(ca).writeTo(dir, "server"), caFile, CallProtection.none());
    Path[] stranger = TestPki.client(TestPki.authority("Other CA"), "user_1").writeTo(dir, "stranger");

    StatusRuntimeException without = sendRefused(ClientCredentials.channel(true, caFile, null, null), "user_1");
    StatusRuntimeException foreign =
        sendRefused(ClientCredentials.channel(true, caFile, stranger[0], stranger[1]), "user_1");

    assertThat(without.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(foreign.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
  }

  @Test
  @DisplayName("with mTLS, the client certificate's name is the caller: it changes its own ID only")
  void withMtlsTheClientCertificatesNameIsTheCaller() throws Exception {
    TestPki.Issued ca = TestPki.authority("Test CA");
    Path caFile = ca.writeCertificate(dir.resolve("ca.crt"));
    serve(
        TestPki.server(ca).writeTo(dir, "server"),
        caFile,
        new CallProtection(
            new Authentication(null, true, List.of()), null, new Authorization(ReadAccess.ANYONE)));
    Path[] alice = TestPki.client(ca, "alice").writeTo(dir, "alice");
    ChannelCredentials credentials = ClientCredentials.channel(true, caFile, alice[0], alice[1]);

    assertThat(send(credentials, "alice")).isEqualTo("Client alice marked as connected.");
    StatusRuntimeException other = sendRefused(credentials, "bob");
    assertThat(other.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(other.getStatus().getDescription())
        .isEqualTo("alice may not change client bob: it may change only client alice;"
            + " ask for a token that grants this client ID");
  }

  @Test
  @DisplayName("a certificate replaced on disk is served without a restart")
  void aCertificateReplacedOnDiskIsServedWithoutARestart() throws Exception {
    TestPki.Issued oldCa = TestPki.authority("Old CA");
    TestPki.Issued newCa = TestPki.authority("New CA");
    serve(TestPki.server(oldCa).writeTo(dir, "server"), null, CallProtection.none());
    ChannelCredentials trustingNewCa =
        ClientCredentials.channel(true, newCa.writeCertificate(dir.resolve("new-ca.crt")), null, null);
    assertThat(sendRefused(trustingNewCa, "user_1").getStatus().getCode())
        .isEqualTo(Status.Code.UNAVAILABLE);

    TestPki.server(newCa).writeTo(dir, "server");

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    String info = null;
    while (info == null && System.nanoTime() < deadline) {
      try {
        info = send(trustingNewCa, "user_1");
      } catch (StatusRuntimeException stillOld) {
        Thread.sleep(100);
      }
    }
    assertThat(info).isEqualTo("Client user_1 marked as connected.");
  }

  private void serve(Path[] serverFiles, Path clientCa, CallProtection protection) throws Exception {
    tls = ServerTls.load(serverFiles[0], serverFiles[1], clientCa, Duration.ofMillis(200));
    ServerInterceptor sessions =
        new ServerInterceptor() {
          @Override
          public <ReqT, RespT> io.grpc.ServerCall.Listener<ReqT> interceptCall(
              io.grpc.ServerCall<ReqT, RespT> call,
              io.grpc.Metadata headers,
              io.grpc.ServerCallHandler<ReqT, RespT> next) {
            lastSession.set(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
            return Contexts.interceptCall(io.grpc.Context.current(), call, headers, next);
          }
        };
    ConnectionService service = new ConnectionService(new InMemoryConnectionRegistry());
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new InetSocketAddress(Loopback.HOST, 0), tls.credentials());
    builder.intercept(sessions);
    server = new GrpcServer(builder, new ClientServiceEndpoint(service, service, service), protection).start();
  }

  private String send(ChannelCredentials credentials, String clientId) throws InterruptedException {
    Loopback.close(channel);
    channel = NettyChannelBuilder.forTarget("localhost:" + server.port(), credentials).build();
    return ClientServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .sendMessage(MessageRequest.newBuilder().setClientId(clientId).setMessage("Hello").build())
        .getInfo();
  }

  private StatusRuntimeException sendRefused(ChannelCredentials credentials, String clientId) {
    return catchThrowableOfType(StatusRuntimeException.class, () -> send(credentials, clientId));
  }
}

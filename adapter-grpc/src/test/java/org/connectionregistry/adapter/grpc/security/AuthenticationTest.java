package org.connectionregistry.adapter.grpc.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.adapter.grpc.Loopback;
import org.connectionregistry.adapter.grpc.server.ClientServiceEndpoint;
import org.connectionregistry.adapter.grpc.server.GrpcServer;
import org.connectionregistry.application.service.ConnectionService;
import org.connectionregistry.application.service.ScheduledTimer;
import org.connectionregistry.application.service.WatchService;
import org.connectionregistry.domain.InMemoryConnectionRegistry;
import org.connectionregistry.proto.ClientServiceGrpc.ClientServiceBlockingStub;
import org.connectionregistry.proto.ClientServiceGrpc;
import org.connectionregistry.proto.ClientStatusRequest;
import org.connectionregistry.proto.CountClientsRequest;
import org.connectionregistry.proto.ListClientsRequest;
import org.connectionregistry.proto.MessageRequest;
import org.connectionregistry.proto.WatchRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bearer tokens (signed JWTs) over real Netty: who may change and read which client. */
@Feature("Security")
@Story("Authentication and authorization")
@DisplayName("Tokens: a caller changes only the client IDs its token grants")
class AuthenticationTest {

  @TempDir Path dir;
  private RSAKey signingKey;
  private Path keys;
  private GrpcServer server;
  private ManagedChannel channel;
  private final ScheduledTimer timer = new ScheduledTimer("test-watch");

  @BeforeEach
  void serve() throws Exception {
    signingKey = new RSAKeyGenerator(2048).keyID("registry-1").generate();
    keys = dir.resolve("keys.json");
    Files.writeString(keys, new JWKSet(signingKey.toPublicJWK()).toString());
    InMemoryConnectionRegistry registry = new InMemoryConnectionRegistry();
    ConnectionService service = new ConnectionService(registry);
    WatchService watches =
        new WatchService(registry, timer, Duration.ofSeconds(5), 1000);
    CallProtection protection =
        new CallProtection(
            new Authentication(new JwtTokenVerifier(keys, null, null), false, List.of()),
            null,
            new Authorization(ReadAccess.OWNER));
    server =
        new GrpcServer(Loopback.serverBuilder(), new ClientServiceEndpoint(
                    service, service, service, null,
                    new ClientServiceEndpoint.Watching(watches, watches, Runnable::run)),
                protection)
            .start();
    channel = Loopback.channelTo(server.port());
  }

  @AfterEach
  void stop() throws InterruptedException {
    Loopback.close(channel);
    server.stop(Duration.ZERO);
    timer.close();
  }

  @Test
  @DisplayName("a token for a client ID changes that client and reads it")
  void aTokenForAClientIdChangesThatClient() throws Exception {
    ClientServiceBlockingStub alice = stub(token(signingKey, "alice", Map.of(), Duration.ofMinutes(5)));

    assertThat(alice.sendMessage(message("alice")).getInfo()).isEqualTo("Client alice marked as connected.");
    assertThat(alice.getClientStatus(ClientStatusRequest.newBuilder().setClientId("alice").build()).getStatusesMap())
        .containsEntry("alice", "connected");
  }

  @Test
  @DisplayName("a token for another ID is PERMISSION_DENIED, saying what it may change")
  void aTokenForAnotherIdIsPermissionDenied() throws Exception {
    ClientServiceBlockingStub alice =
        stub(token(signingKey, "alice", Map.of("client_ids", List.of("team-a-*")), Duration.ofMinutes(5)));

    assertThat(alice.sendMessage(message("team-a-7")).getInfo()).isEqualTo("Client team-a-7 marked as connected.");
    StatusRuntimeException error = refused(() -> alice.sendMessage(message("bob")));
    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(error.getStatus().getDescription())
        .isEqualTo("alice may not change client bob: it may change only client alice and IDs"
            + " matching team-a-*; ask for a token that grants this client ID");
    StatusRuntimeException listing =
        refused(() -> alice.getClientStatus(ClientStatusRequest.getDefaultInstance()));
    assertThat(listing.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(listing.getStatus().getDescription()).isEqualTo("alice may not list every client: only admins may");
  }

  @Test
  @DisplayName("an admin token changes any client and lists all")
  void anAdminTokenChangesAnyClientAndListsAll() throws Exception {
    ClientServiceBlockingStub admin =
        stub(token(signingKey, "ops", Map.of("roles", List.of("admin")), Duration.ofMinutes(5)));

    admin.sendMessage(message("bob"));
    admin.sendMessage(message("carol"));

    assertThat(admin.getClientStatus(ClientStatusRequest.getDefaultInstance()).getStatusesMap())
        .containsOnlyKeys("bob", "carol");
    assertThat(admin.listClients(ListClientsRequest.getDefaultInstance())).toIterable().hasSize(1);
  }

  @Test
  @DisplayName("watching and counting read every client: like listing, only admins may when reads are the owner's")
  void watchAndCountAreReadsOfEveryClient() throws Exception {
    ClientServiceBlockingStub alice = stub(token(signingKey, "alice", Map.of(), Duration.ofMinutes(5)));
    ClientServiceBlockingStub admin =
        stub(token(signingKey, "ops", Map.of("roles", List.of("admin")), Duration.ofMinutes(5)));
    admin.sendMessage(message("bob"));

    StatusRuntimeException watch = refused(() -> alice.watch(WatchRequest.getDefaultInstance()).hasNext());
    StatusRuntimeException count = refused(() -> alice.countClients(CountClientsRequest.getDefaultInstance()));
    for (StatusRuntimeException refusal : List.of(watch, count)) {
      assertThat(refusal.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(refusal.getStatus().getDescription()).isEqualTo("alice may not list every client: only admins may");
    }
    assertThat(admin.countClients(CountClientsRequest.getDefaultInstance()).getConnected()).isEqualTo(1);
    assertThat(admin.watch(WatchRequest.getDefaultInstance()).next().getSnapshot(0).getClientId()).isEqualTo("bob");
    StatusRuntimeException anonymous =
        refused(() -> ClientServiceGrpc.newBlockingStub(channel).countClients(CountClientsRequest.getDefaultInstance()));
    assertThat(anonymous.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
  }

  @Test
  @DisplayName("an expired token is UNAUTHENTICATED, saying when it expired")
  void anExpiredTokenIsUnauthenticated() throws Exception {
    ClientServiceBlockingStub expired = stub(token(signingKey, "alice", Map.of(), Duration.ofMinutes(-10)));

    StatusRuntimeException error = refused(() -> expired.sendMessage(message("alice")));

    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(error.getStatus().getDescription())
        .startsWith("The bearer token was refused: it expired at ")
        .endsWith("; get a new token");
  }

  @Test
  @DisplayName("a forged token (signed with another key) is UNAUTHENTICATED")
  void aForgedTokenIsUnauthenticated() throws Exception {
    RSAKey forger = new RSAKeyGenerator(2048).keyID("registry-1").generate();
    ClientServiceBlockingStub forged =
        stub(token(forger, "ops", Map.of("roles", List.of("admin")), Duration.ofMinutes(5)));

    StatusRuntimeException error = refused(() -> forged.sendMessage(message("bob")));

    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(error.getStatus().getDescription())
        .startsWith("The bearer token was refused: its signature does not verify");
  }

  @Test
  @DisplayName("no token, or something that is not a JWT, is UNAUTHENTICATED, saying what to send")
  void noTokenIsUnauthenticated() {
    ClientServiceBlockingStub anonymous = ClientServiceGrpc.newBlockingStub(channel);
    ClientServiceBlockingStub garbage = stub("not-a-token");

    StatusRuntimeException none = refused(() -> anonymous.sendMessage(message("alice")));
    StatusRuntimeException bogus = refused(() -> garbage.sendMessage(message("alice")));

    assertThat(none.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(none.getStatus().getDescription())
        .isEqualTo("This server requires callers to authenticate: send a bearer token"
            + " (header 'authorization: Bearer <JWT>')");
    assertThat(bogus.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(bogus.getStatus().getDescription())
        .isEqualTo("The bearer token was refused: it is not a well-formed signed JWT");
  }

  @Test
  @DisplayName("a token verified before is refused once its key is no longer in the key file")
  void aTokenVerifiedBeforeIsRefusedOnceItsKeyIsRotatedOut() throws Exception {
    ClientServiceBlockingStub alice = stub(token(signingKey, "alice", Map.of(), Duration.ofMinutes(5)));
    alice.sendMessage(message("alice"));

    RSAKey next = new RSAKeyGenerator(2048).keyID("registry-2").generate();
    Files.writeString(keys, new JWKSet(next.toPublicJWK()).toString());
    Files.setLastModifiedTime(keys, java.nio.file.attribute.FileTime.from(Instant.now().plusSeconds(5)));
    Thread.sleep(1100); // the key file is checked at most once a second

    StatusRuntimeException error = refused(() -> alice.sendMessage(message("alice")));
    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(stub(token(next, "alice", Map.of(), Duration.ofMinutes(5))).sendMessage(message("alice")).getInfo())
        .isEqualTo("Client alice marked as connected.");
  }

  private ClientServiceBlockingStub stub(String token) {
    return ClientServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .withCallCredentials(ClientCredentials.bearer(() -> token));
  }

  static String token(RSAKey key, String subject, Map<String, Object> claims, Duration validFor)
      throws Exception {
    JWTClaimsSet.Builder builder =
        new JWTClaimsSet.Builder()
            .subject(subject)
            .issueTime(new Date())
            .expirationTime(Date.from(Instant.now().plus(validFor)));
    claims.forEach(builder::claim);
    SignedJWT jwt =
        new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), builder.build());
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }

  private static MessageRequest message(String clientId) {
    return MessageRequest.newBuilder().setClientId(clientId).setMessage("Hello").build();
  }

  private static StatusRuntimeException refused(Runnable call) {
    return catchThrowableOfType(StatusRuntimeException.class, call::run);
  }
}

package org.connectionregistry.benchmarks.security;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.connectionregistry.adapter.grpc.security.Authentication;
import org.connectionregistry.adapter.grpc.security.Authorization;
import org.connectionregistry.adapter.grpc.security.CallProtection;
import org.connectionregistry.adapter.grpc.security.ClientCredentials;
import org.connectionregistry.adapter.grpc.security.JwtTokenVerifier;
import org.connectionregistry.adapter.grpc.security.ReadAccess;
import org.connectionregistry.adapter.grpc.security.ServerLimits;
import org.connectionregistry.adapter.grpc.security.ServerTls;
import org.connectionregistry.adapter.grpc.server.ClientServiceEndpoint;
import org.connectionregistry.adapter.grpc.server.GrpcServer;
import org.connectionregistry.application.service.ConnectionService;
import org.connectionregistry.domain.InMemoryConnectionRegistry;
import org.connectionregistry.proto.ClientServiceGrpc;
import org.connectionregistry.proto.MessageRequest;
import org.connectionregistry.proto.MessageResponse;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * What TLS and token checks cost: SendMessage throughput against two servers in this JVM, one
 * plaintext without authentication (the anchor), one with TLS (BoringSSL where available) and a
 * signed JWT (ES256) verified and authorized on every call, in alternating rounds of the same
 * load. Prints each round and the ratio secured / plaintext.
 */
@Command(
    name = "SecurityOverhead",
    mixinStandardHelpOptions = true,
    description = "SendMessage throughput with TLS + token checks against plaintext without auth.")
public final class SecurityOverhead implements java.util.concurrent.Callable<Integer> {

  @Option(names = "--concurrency", defaultValue = "64", description = "Calls in flight (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(names = "--seconds", defaultValue = "10", description = "Length of each round (default: ${DEFAULT-VALUE}).")
  int seconds;

  @Option(names = "--warmup-seconds", defaultValue = "5", description = "Warm-up per server (default: ${DEFAULT-VALUE}).")
  int warmupSeconds;

  @Option(names = "--rounds", defaultValue = "3", description = "Alternating rounds (default: ${DEFAULT-VALUE}).")
  int rounds;

  public static void main(String[] args) {
    System.exit(new CommandLine(new SecurityOverhead()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Path dir = Files.createTempDirectory("security-overhead");
    Certificates certificates = Certificates.makeIn(dir);
    ECKey signing = new ECKeyGenerator(Curve.P_256).keyID("bench").generate();
    Path keys = Files.writeString(dir.resolve("keys.json"), new JWKSet(signing.toPublicJWK()).toString());
    String token = token(signing);

    GrpcServer plain = start(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)), CallProtection.none());
    NettyServerBuilder tlsBuilder =
        NettyServerBuilder.forAddress(
            new InetSocketAddress("127.0.0.1", 0),
            ServerTls.load(certificates.certificate, certificates.key, null, Duration.ofSeconds(10)).credentials());
    ServerLimits.defaults().applyTo(tlsBuilder);
    GrpcServer secured =
        start(
            tlsBuilder,
            new CallProtection(
                new Authentication(new JwtTokenVerifier(keys, null, null), false, List.of()),
                null,
                new Authorization(ReadAccess.OWNER)));
    ManagedChannel plainChannel = NettyChannelBuilder.forAddress("127.0.0.1", plain.port()).usePlaintext().build();
    ManagedChannel tlsChannel =
        NettyChannelBuilder.forTarget(
                "localhost:" + secured.port(), ClientCredentials.channel(true, certificates.ca, null, null))
            .build();
    CallCredentials bearer = ClientCredentials.bearer(() -> token);
    try {
      System.out.printf(Locale.ROOT, "SendMessage, %d in flight, %d s rounds, %d rounds (warm-up %d s each)%n",
          concurrency, seconds, rounds, warmupSeconds);
      run(plainChannel, null, warmupSeconds);
      run(tlsChannel, bearer, warmupSeconds);
      List<Double> plainRates = new ArrayList<>();
      List<Double> securedRates = new ArrayList<>();
      for (int round = 1; round <= rounds; round++) {
        double p = run(plainChannel, null, seconds);
        double s = run(tlsChannel, bearer, seconds);
        plainRates.add(p);
        securedRates.add(s);
        System.out.printf(Locale.ROOT, "round %d: plaintext, no auth %,.0f calls/s | TLS + JWT %,.0f calls/s | ratio %.3f%n",
            round, p, s, s / p);
      }
      double p = plainRates.stream().mapToDouble(Double::doubleValue).sum();
      double s = securedRates.stream().mapToDouble(Double::doubleValue).sum();
      System.out.printf(Locale.ROOT, "all rounds: plaintext %,.0f calls/s, TLS + JWT %,.0f calls/s, ratio %.3f (target >= 0.8)%n",
          p / rounds, s / rounds, s / p);
    } finally {
      plainChannel.shutdownNow();
      tlsChannel.shutdownNow();
      plain.stop(Duration.ZERO);
      secured.stop(Duration.ZERO);
    }
    return 0;
  }

  private static GrpcServer start(NettyServerBuilder builder, CallProtection protection) throws Exception {
    // As the launcher serves the in-memory store: calls on the transport's threads.
    builder.directExecutor();
    ConnectionService service = new ConnectionService(new InMemoryConnectionRegistry());
    return new GrpcServer(builder, new ClientServiceEndpoint(service, service, service), protection).start();
  }

  /** Calls a second over {@code seconds}, {@link #concurrency} in flight. */
  private double run(ManagedChannel channel, CallCredentials credentials, int seconds) throws InterruptedException {
    ClientServiceGrpc.ClientServiceStub stub = ClientServiceGrpc.newStub(channel);
    if (credentials != null) {
      stub = stub.withCallCredentials(credentials);
    }
    MessageRequest request = MessageRequest.newBuilder().setClientId("bench_user").setMessage("Hello").build();
    Semaphore inFlight = new Semaphore(concurrency);
    AtomicLong done = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicBoolean stop = new AtomicBoolean();
    long start = System.nanoTime();
    long end = start + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < end) {
      if (!inFlight.tryAcquire(10, TimeUnit.MILLISECONDS)) {
        continue;
      }
      stub.sendMessage(
          request,
          new StreamObserver<MessageResponse>() {
            @Override
            public void onNext(MessageResponse response) {}

            @Override
            public void onError(Throwable error) {
              failed.incrementAndGet();
              inFlight.release();
            }

            @Override
            public void onCompleted() {
              if (!stop.get()) {
                done.incrementAndGet();
              }
              inFlight.release();
            }
          });
    }
    stop.set(true);
    long elapsed = System.nanoTime() - start;
    inFlight.acquire(concurrency);
    if (failed.get() > 0) {
      throw new IllegalStateException(failed.get() + " calls failed");
    }
    return done.get() / (elapsed / 1e9);
  }

  private static String token(ECKey key) throws Exception {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(),
            new JWTClaimsSet.Builder()
                .subject("bench_user")
                .expirationTime(Date.from(Instant.now().plus(Duration.ofHours(1))))
                .build());
    jwt.sign(new ECDSASigner(key));
    return jwt.serialize();
  }
}

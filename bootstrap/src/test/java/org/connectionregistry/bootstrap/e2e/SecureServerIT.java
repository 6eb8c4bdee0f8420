package org.connectionregistry.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.connectionregistry.testsupport.FreePort;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jars as a user runs them with TLS and tokens: the server with --tls-cert, --tls-key and
 * --token-keys, the console client with --ca and its token in a file or the environment.
 */
@Feature("Security")
@Story("Authentication and authorization")
@DisplayName("TLS and tokens between the real server and console client")
class SecureServerIT {

  @TempDir Path dir;
  private Process server;
  private int port;
  private Path ca;
  private ECKey signing;

  @BeforeEach
  void startSecureServer() throws Exception {
    KeyPair caKeys = ecKeys();
    X509Certificate caCert = certificate("Test CA", caKeys, caKeys, true);
    KeyPair serverKeys = ecKeys();
    X509Certificate serverCert = certificate("localhost", serverKeys, caKeys, false);
    ca = pem(dir.resolve("ca.crt"), "CERTIFICATE", caCert.getEncoded());
    Path cert = pem(dir.resolve("server.crt"), "CERTIFICATE", serverCert.getEncoded());
    Path key = pem(dir.resolve("server.key"), "PRIVATE KEY", serverKeys.getPrivate().getEncoded());
    signing = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
    Path keys = Files.writeString(dir.resolve("keys.json"), new JWKSet(signing.toPublicJWK()).toString());

    port = FreePort.onLoopback();
    File out = dir.resolve("server.out").toFile();
    server =
        new ProcessBuilder(
                Processes.javaCommand(
                    Processes.serverJar(),
                    "--host", "127.0.0.1", "--port", String.valueOf(port),
                    "--tls-cert", cert.toString(), "--tls-key", key.toString(),
                    "--token-keys", keys.toString()))
            .redirectErrorStream(true)
            .redirectOutput(out)
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!Files.readString(out.toPath()).contains("Server is starting on port " + port)) {
      assertThat(server.isAlive()).as("the server runs: " + Files.readString(out.toPath())).isTrue();
      assertThat(System.nanoTime()).as("the server started in time").isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  @AfterEach
  void stop() throws InterruptedException {
    server.destroy();
    if (!server.waitFor(10, TimeUnit.SECONDS)) {
      server.destroyForcibly().waitFor();
    }
  }

  @Test
  @DisplayName("a client trusting the CA, with its token in a file, changes its own client")
  void aClientWithItsTokenInAFileChangesItsOwnClient() throws Exception {
    Path token = Files.writeString(dir.resolve("token"), token("user_1") + "\n");

    Processes.Finished run =
        client(Map.of(), "1\nuser_1\nHello\n3\n", "--ca", ca.toString(), "--token-file", token.toString());

    assertThat(run.stdout()).contains("Server Response: Client user_1 marked as connected.");
    assertThat(run.exitCode()).isZero();
  }

  @Test
  @DisplayName("a token from the environment works too; a token for another ID is refused with its reason")
  void aTokenFromTheEnvironmentWorksAndAnotherIdIsRefused() throws Exception {
    Processes.Finished run =
        client(Map.of("CONNECTION_REGISTRY_TOKEN", token("user_1")),
            "1\nuser_1\nHello\n1\nuser_2\nHello\n3\n", "--ca", ca.toString());

    assertThat(run.stdout()).contains("Server Response: Client user_1 marked as connected.");
    assertThat(run.stdout()).contains("user_1 may not change client user_2");
    assertThat(run.stdout()).doesNotContain("Client user_2 marked");
    assertThat(run.exitCode()).isZero();
  }

  @Test
  @DisplayName("without a token the server says to authenticate; nothing changes")
  void withoutATokenTheServerSaysToAuthenticate() throws Exception {
    Processes.Finished run = client(Map.of(), "1\nuser_1\nHello\n3\n", "--ca", ca.toString());

    assertThat(run.stdout()).contains("This server requires callers to authenticate");
    assertThat(run.stdout()).doesNotContain("marked as connected");
  }

  @Test
  @Story("The present mode over TLS with a token")
  @DisplayName("the present mode trusts the CA and sends its token from a file: it holds a session for its own ID")
  void presentClientWithTlsAndTokenHoldsItsSession() throws Exception {
    Path token = Files.writeString(dir.resolve("token"), token("user_7") + "\n");
    try (PresentClient present =
        PresentClient.launch("localhost:" + port, "user_7", Map.of(),
            "--ca", ca.toString(), "--token-file", token.toString())) {
      present.awaitLine("Connected as user_7.", Duration.ofSeconds(30));
      Processes.Finished run =
          client(Map.of(), "2\nuser_7\n3\n", "--ca", ca.toString(), "--token-file", token.toString());

      assertThat(run.stdout()).contains("Client ID: user_7, Status: connected");
      assertThat(present.endInput()).isZero();
    }
  }

  @Test
  @Story("The present mode over TLS with a token")
  @DisplayName("the present mode with a token for another ID is refused with the server's reason, exit code 1")
  void presentClientForAnotherIdIsRefused() throws Exception {
    try (PresentClient present =
        PresentClient.launch("localhost:" + port, "user_8",
            Map.of("CONNECTION_REGISTRY_TOKEN", token("user_1")), "--ca", ca.toString())) {
      assertThat(present.awaitExit()).isEqualTo(1);
      assertThat(present.lines()).anyMatch(line -> line.startsWith("Session refused: "));
      assertThat(present.lines()).noneMatch(line -> line.startsWith("Connected as"));
    }
  }

  private Processes.Finished client(Map<String, String> environment, String script, String... options)
      throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("--target", "localhost:" + port));
    args.addAll(List.of(options));
    ProcessBuilder builder =
        new ProcessBuilder(Processes.javaCommand(Processes.clientJar(), args.toArray(String[]::new)));
    builder.environment().remove("CONNECTION_REGISTRY_TOKEN");
    builder.environment().putAll(environment);
    return Processes.feedAndWait(builder.start(), script, Duration.ofSeconds(30));
  }

  private String token(String subject) throws Exception {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(signing.getKeyID()).build(),
            new JWTClaimsSet.Builder()
                .subject(subject)
                .expirationTime(Date.from(Instant.now().plus(Duration.ofHours(1))))
                .build());
    jwt.sign(new ECDSASigner(signing));
    return jwt.serialize();
  }

  private static KeyPair ecKeys() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(256);
    return generator.generateKeyPair();
  }

  private static X509Certificate certificate(String subject, KeyPair keys, KeyPair issuer, boolean authority)
      throws Exception {
    Instant now = Instant.now();
    X509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            new X500Name("CN=Test CA"),
            BigInteger.valueOf(now.toEpochMilli() + (authority ? 0 : 1)),
            Date.from(now.minusSeconds(60)),
            Date.from(now.plus(Duration.ofDays(1))),
            new X500Name("CN=" + subject),
            keys.getPublic());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(authority));
    if (!authority) {
      builder.addExtension(Extension.subjectAlternativeName, false,
          new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.dNSName, "localhost"),
            new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
    }
    return new JcaX509CertificateConverter()
        .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
  }

  private static Path pem(Path file, String type, byte[] der) throws IOException {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      writer.writeObject(new PemObject(type, der));
    }
    return Files.writeString(file, text.toString(), StandardCharsets.US_ASCII);
  }
}

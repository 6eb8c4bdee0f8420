package org.connectionregistry.benchmarks.security;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
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

/** A throw-away CA and a localhost server certificate, written as PEM files for a run. */
final class Certificates {

  final Path ca;
  final Path certificate;
  final Path key;

  private Certificates(Path ca, Path certificate, Path key) {
    this.ca = ca;
    this.certificate = certificate;
    this.key = key;
  }

  static Certificates makeIn(Path dir) throws Exception {
    KeyPair caKeys = ecKeys();
    X509Certificate caCert = sign("Benchmark CA", caKeys, "Benchmark CA", caKeys, true);
    KeyPair serverKeys = ecKeys();
    X509Certificate serverCert = sign("localhost", serverKeys, "Benchmark CA", caKeys, false);
    return new Certificates(
        write(dir.resolve("ca.crt"), "CERTIFICATE", caCert.getEncoded()),
        write(dir.resolve("server.crt"), "CERTIFICATE", serverCert.getEncoded()),
        write(dir.resolve("server.key"), "PRIVATE KEY", serverKeys.getPrivate().getEncoded()));
  }

  private static KeyPair ecKeys() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(256);
    return generator.generateKeyPair();
  }

  private static X509Certificate sign(
      String subject, KeyPair keys, String issuer, KeyPair issuerKeys, boolean authority)
      throws Exception {
    Instant now = Instant.now();
    X509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            new X500Name("CN=" + issuer),
            BigInteger.valueOf(now.toEpochMilli() + (authority ? 0 : 1)),
            Date.from(now.minusSeconds(60)),
            Date.from(now.plus(Duration.ofDays(1))),
            new X500Name("CN=" + subject),
            keys.getPublic());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(authority));
    if (!authority) {
      builder.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(
              new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1")
              }));
    }
    return new JcaX509CertificateConverter()
        .getCertificate(
            builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
  }

  private static Path write(Path file, String type, byte[] der) throws IOException {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      writer.writeObject(new PemObject(type, der));
    }
    return Files.writeString(file, text.toString());
  }
}

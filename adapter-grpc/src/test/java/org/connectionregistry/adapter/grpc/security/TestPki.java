package org.connectionregistry.adapter.grpc.security;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/** Certificate authorities and certificates made by the tests, written as PEM files. */
final class TestPki {

  private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());

  /** A certificate with its key, and the CA that signed it. */
  record Issued(X509Certificate certificate, KeyPair keys) {
    /** Writes the certificate and its PKCS#8 key to {@code dir}/{@code name}.crt and .key. */
    Path[] writeTo(Path dir, String name) {
      Path cert = dir.resolve(name + ".crt");
      Path key = dir.resolve(name + ".key");
      replace(cert, pem("CERTIFICATE", encoded(certificate)));
      replace(key, pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
      return new Path[] {cert, key};
    }

    Path writeCertificate(Path file) {
      replace(file, pem("CERTIFICATE", encoded(certificate)));
      return file;
    }
  }

  private TestPki() {}

  static Issued authority(String name) {
    KeyPair keys = keyPair();
    return new Issued(sign(name, keys, name, keys.getPrivate(), true, Instant.now(), Duration.ofDays(1)), keys);
  }

  /** A server certificate for localhost and 127.0.0.1. */
  static Issued server(Issued ca, Instant notBefore, Duration validity) {
    KeyPair keys = keyPair();
    return new Issued(
        sign("localhost", keys, subjectOf(ca), ca.keys().getPrivate(), false, notBefore, validity), keys);
  }

  static Issued server(Issued ca) {
    return server(ca, Instant.now().minusSeconds(60), Duration.ofDays(1));
  }

  /** A client certificate whose common name is {@code name}. */
  static Issued client(Issued ca, String name) {
    KeyPair keys = keyPair();
    return new Issued(
        sign(name, keys, subjectOf(ca), ca.keys().getPrivate(), false, Instant.now().minusSeconds(60), Duration.ofDays(1)),
        keys);
  }

  private static String subjectOf(Issued ca) {
    return new X500Name(ca.certificate().getSubjectX500Principal().getName()).getRDNs()[0]
        .getFirst().getValue().toString();
  }

  private static X509Certificate sign(
      String subject, KeyPair keys, String issuer, java.security.PrivateKey issuerKey,
      boolean authority, Instant notBefore, Duration validity) {
    try {
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              new X500Name("CN=" + issuer),
              BigInteger.valueOf(SERIALS.incrementAndGet()),
              Date.from(notBefore),
              Date.from(notBefore.plus(validity)),
              new X500Name("CN=" + subject),
              keys.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(authority));
      if (authority) {
        builder.addExtension(
            Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      } else {
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
          .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair keyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(256);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] encoded(X509Certificate certificate) {
    try {
      return certificate.getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(String type, byte[] der) {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      writer.writeObject(new PemObject(type, der));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return text.toString();
  }

  /** Replaces the file at once, as a renewal tool would, so no reader sees half of it. */
  private static void replace(Path file, String content) {
    try {
      Path temporary = Files.createTempFile(file.getParent(), ".new", ".pem");
      Files.writeString(temporary, content);
      Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package org.connectionregistry.adapter.grpc.security;

import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.LoggerFactory;

/**
 * TLS for the server from PEM files: its certificate chain and private key (PKCS#8), and
 * optionally the CA that client certificates must chain to (mutual TLS).
 *
 * <p>A renewed certificate is served without a restart: at a handshake, at most once every
 * {@code refresh}, the files' modification times are checked and changed files are read again;
 * a file that cannot be read (half-written, say) leaves the last good one in use until the next
 * check. (grpc's own file watchers poll no more often than once a minute.) Netty uses BoringSSL
 * (grpc-netty-shaded carries netty-tcnative) where the platform has it, the JDK's TLS elsewhere.
 */
public final class ServerTls {

  private static final RateLimitedLog log =
      new RateLimitedLog(LoggerFactory.getLogger(ServerTls.class), 2, 1);

  private final ServerCredentials credentials;

  private ServerTls(Path certificate, Path key, Path clientCa, Duration refresh)
      throws IOException, GeneralSecurityException {
    ReloadingKeys keys = new ReloadingKeys(certificate, key, refresh);
    TlsServerCredentials.Builder tls = TlsServerCredentials.newBuilder().keyManager(keys);
    if (clientCa != null) {
      tls.trustManager(new ReloadingTrust(clientCa, refresh))
          .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
    }
    credentials = tls.build();
  }

  /**
   * Reads the files now, so that a missing or malformed one stops the server at start-up.
   *
   * @param clientCa null for TLS without client certificates
   */
  public static ServerTls load(Path certificate, Path key, Path clientCa, Duration refresh)
      throws IOException, GeneralSecurityException {
    return new ServerTls(certificate, key, clientCa, refresh);
  }

  public ServerCredentials credentials() {
    return credentials;
  }

  /** Files read again when their modification times change, checked at most every refresh. */
  private abstract static class Watched {
    private final Path[] files;
    private final long refreshNanos;
    private FileTime[] seen;
    private long nextCheck;

    Watched(Duration refresh, Path... files) {
      this.files = files;
      this.refreshNanos = refresh.toNanos();
    }

    final void loadNow() throws IOException, GeneralSecurityException {
      FileTime[] times = times();
      load();
      seen = times;
      nextCheck = System.nanoTime() + refreshNanos;
    }

    final synchronized void reloadIfChanged() {
      long now = System.nanoTime();
      if (now - nextCheck < 0) {
        return;
      }
      nextCheck = now + refreshNanos;
      try {
        FileTime[] times = times();
        if (!Arrays.equals(times, seen)) {
          load();
          seen = times;
          log.info("Reloaded TLS files {}", Arrays.toString(files));
        }
      } catch (IOException | GeneralSecurityException | RuntimeException e) {
        log.warn(
            "Could not reload TLS files {} ({}); still using the previous ones",
            Arrays.toString(files),
            e.getMessage());
      }
    }

    private FileTime[] times() throws IOException {
      FileTime[] times = new FileTime[files.length];
      for (int i = 0; i < files.length; i++) {
        times[i] = Files.getLastModifiedTime(files[i]);
      }
      return times;
    }

    abstract void load() throws IOException, GeneralSecurityException;
  }

  private static final class ReloadingKeys extends X509ExtendedKeyManager {
    private final AdvancedTlsX509KeyManager keys = new AdvancedTlsX509KeyManager();
    private final Watched files;

    ReloadingKeys(Path certificate, Path key, Duration refresh)
        throws IOException, GeneralSecurityException {
      Objects.requireNonNull(certificate, "certificate");
      Objects.requireNonNull(key, "key");
      files =
          new Watched(refresh, certificate, key) {
            @Override
            void load() throws IOException, GeneralSecurityException {
              keys.updateIdentityCredentials(certificate.toFile(), key.toFile());
            }
          };
      files.loadNow();
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
      files.reloadIfChanged();
      return keys.chooseEngineServerAlias(keyType, issuers, engine);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      files.reloadIfChanged();
      return keys.chooseServerAlias(keyType, issuers, socket);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return keys.getServerAliases(keyType, issuers);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return keys.getCertificateChain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return keys.getPrivateKey(alias);
    }
  }

  private static final class ReloadingTrust extends X509ExtendedTrustManager {
    private final AdvancedTlsX509TrustManager trust;
    private final Watched files;

    ReloadingTrust(Path ca, Duration refresh) throws IOException, GeneralSecurityException {
      trust =
          AdvancedTlsX509TrustManager.newBuilder()
              .setVerification(AdvancedTlsX509TrustManager.Verification.CERTIFICATE_ONLY_VERIFICATION)
              .build();
      files =
          new Watched(refresh, ca) {
            @Override
            void load() throws IOException, GeneralSecurityException {
              trust.updateTrustCredentials(ca.toFile());
            }
          };
      files.loadNow();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      files.reloadIfChanged();
      trust.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      files.reloadIfChanged();
      trust.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      files.reloadIfChanged();
      trust.checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      throw new CertificateException("a server's trust manager does not check servers");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      throw new CertificateException("a server's trust manager does not check servers");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("a server's trust manager does not check servers");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      files.reloadIfChanged();
      return trust.getAcceptedIssuers();
    }
  }
}

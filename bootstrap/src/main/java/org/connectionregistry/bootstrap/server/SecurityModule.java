package org.connectionregistry.bootstrap.server;

import dagger.Module;
import dagger.Provides;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import org.connectionregistry.adapter.grpc.security.Authentication;
import org.connectionregistry.adapter.grpc.security.Authorization;
import org.connectionregistry.adapter.grpc.security.CallProtection;
import org.connectionregistry.adapter.grpc.security.CallerRateLimit;
import org.connectionregistry.adapter.grpc.security.ConnectionLimit;
import org.connectionregistry.adapter.grpc.security.JwtTokenVerifier;
import org.connectionregistry.adapter.grpc.security.ServerLimits;
import org.connectionregistry.adapter.grpc.security.ServerTls;

/** The server's guards from {@link ServerSecurity}: TLS, limits, authentication, authorization. */
@Module
public final class SecurityModule {

  private SecurityModule() {}

  /** Netty on the configured address, with TLS if configured, and every limit set. */
  static NettyServerBuilder nettyBuilder(ServerSettings settings, ServerSecurity security) {
    InetSocketAddress address = new InetSocketAddress(settings.host(), settings.port());
    NettyServerBuilder builder;
    if (security.tls() == null) {
      builder = NettyServerBuilder.forAddress(address);
    } else {
      ServerSecurity.Tls tls = security.tls();
      try {
        builder =
            NettyServerBuilder.forAddress(
                address,
                ServerTls.load(tls.certificate(), tls.key(), tls.clientCa(), tls.refresh())
                    .credentials());
      } catch (IOException e) {
        throw new UncheckedIOException("TLS files cannot be read: " + e.getMessage(), e);
      } catch (GeneralSecurityException | RuntimeException e) {
        throw new IllegalArgumentException("TLS files are not usable: " + e.getMessage(), e);
      }
    }
    ServerLimits limits = security.limits();
    limits.applyTo(builder);
    if (limits.maxConnections() > 0) {
      ConnectionLimit.applyTo(builder, limits.maxConnections());
    }
    return builder;
  }

  @Provides
  static CallProtection callProtection(ServerSecurity security) {
    Authentication authentication = null;
    Authorization authorization = null;
    if (security.authenticates()) {
      JwtTokenVerifier tokens =
          security.tokenKeys() == null
              ? null
              : new JwtTokenVerifier(
                  security.tokenKeys(), security.tokenIssuer(), security.tokenAudience());
      boolean certificates = security.tls() != null && security.tls().clientCa() != null;
      authentication = new Authentication(tokens, certificates, security.admins());
      authorization = new Authorization(security.readAccess());
    }
    ServerLimits limits = security.limits();
    CallerRateLimit rateLimit =
        limits.callsPerSecondPerCaller() > 0
            ? new CallerRateLimit(limits.callsPerSecondPerCaller(), limits.burstPerCaller())
            : null;
    return new CallProtection(authentication, rateLimit, authorization);
  }
}

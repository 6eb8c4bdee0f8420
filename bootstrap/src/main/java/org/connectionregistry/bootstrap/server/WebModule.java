package org.connectionregistry.bootstrap.server;

import dagger.Module;
import dagger.Provides;
import org.connectionregistry.adapter.grpc.security.JwtTokenVerifier;
import org.connectionregistry.adapter.web.PageAccess;

/** The live page's access rule, from the server's security settings. */
@Module
public final class WebModule {

  private WebModule() {}

  @Provides
  static PageAccess pageAccess(ServerSecurity security) {
    if (!security.authenticates()) {
      return PageAccess.ANYONE;
    }
    if (security.tokenKeys() == null) {
      // WebOptions refuses the page before this: a browser page cannot present a certificate.
      return token -> PageAccess.Decision.forbidden(
          "This server authenticates callers by client certificate only; the live page cannot.");
    }
    return new WebAccess(
        new JwtTokenVerifier(security.tokenKeys(), security.tokenIssuer(), security.tokenAudience()),
        security.admins(),
        security.readAccess());
  }
}

package org.connectionregistry.bootstrap.server;

import java.io.IOException;
import java.util.Optional;
import javax.inject.Inject;
import org.connectionregistry.adapter.web.LivePage;
import org.connectionregistry.adapter.web.PageAccess;
import org.connectionregistry.application.port.in.CountClientsUseCase;
import org.connectionregistry.application.port.in.ListClientsUseCase;
import org.connectionregistry.application.port.in.WatchClientsUseCase;

/** What the live page is built from; started only when {@code --web-port} asks for it. */
public final class LivePageParts {

  private final ListClientsUseCase clients;
  private final CountClientsUseCase counts;
  private final WatchClientsUseCase watches;
  private final PageAccess access;

  @Inject
  LivePageParts(
      ListClientsUseCase clients,
      CountClientsUseCase counts,
      WatchClientsUseCase watches,
      PageAccess access) {
    this.clients = clients;
    this.counts = counts;
    this.watches = watches;
    this.access = access;
  }

  /** Serves the page where {@code settings} say, if they ask for it. */
  Optional<LivePage> serve(WebSettings settings) throws IOException {
    if (!settings.enabled()) {
      return Optional.empty();
    }
    return Optional.of(
        LivePage.start(settings.host(), settings.port().getAsInt(), clients, counts, watches, access));
  }
}

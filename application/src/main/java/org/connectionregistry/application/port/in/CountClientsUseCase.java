package org.connectionregistry.application.port.in;

import java.util.concurrent.CompletionStage;
import org.connectionregistry.domain.ClientCounts;

/** Anyone asks how many clients are connected and disconnected, without listing them. */
public interface CountClientsUseCase {

  /** The counts, with the revision they are current to; fails as the store fails. */
  CompletionStage<ClientCounts> countClientsAsync();
}

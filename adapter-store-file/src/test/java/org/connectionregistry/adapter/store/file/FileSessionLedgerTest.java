package org.connectionregistry.adapter.store.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.nio.file.Path;
import org.connectionregistry.domain.ClientId;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Feature("Live presence")
@DisplayName("The file store's session ledger survives a restart")
class FileSessionLedgerTest {

  @TempDir Path dir;

  @Test
  @Story("A restarted server expires what its predecessor held")
  @DisplayName("IDs held when the server stopped are there for its successor; released ones are not")
  void heldIdsSurviveRestart() {
    Path registry = dir.resolve("registry.db");
    FileSessionLedger ledger = FileSessionLedger.openBeside(registry);
    ledger.hold(ClientId.of("alice")).toCompletableFuture().join();
    ledger.hold(ClientId.of("bob")).toCompletableFuture().join();
    ledger.release(ClientId.of("alice")).toCompletableFuture().join();
    ledger.close();

    FileSessionLedger successor = FileSessionLedger.openBeside(registry);
    try {
      assertThat(successor.held()).containsExactly(ClientId.of("bob"));
      assertThat(dir.resolve("registry.db.sessions")).exists();
    } finally {
      successor.close();
    }
  }
}

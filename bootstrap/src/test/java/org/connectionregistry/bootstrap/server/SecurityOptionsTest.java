package org.connectionregistry.bootstrap.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.nio.file.Files;
import java.nio.file.Path;
import org.connectionregistry.adapter.grpc.security.ReadAccess;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

@Feature("Security")
@Story("Compatible by default")
@DisplayName("Server security options: compatible defaults, a warning when exposed, clear errors")
class SecurityOptionsTest {

  @TempDir Path dir;

  private static ServerSecurity parse(String... args) {
    ServerLauncher launcher = new ServerLauncher();
    new CommandLine(launcher).parseArgs(args);
    return launcher.securityOptions.settings(launcher.spec);
  }

  @Test
  @DisplayName("without options: no TLS, no authentication, anyone reads, a cap sized from the heap")
  void withoutOptionsTheServerIsAsBeforeWithACap() {
    ServerSecurity security = parse();

    assertThat(security.tls()).isNull();
    assertThat(security.authenticates()).isFalse();
    assertThat(security.readAccess()).isEqualTo(ReadAccess.ANYONE);
    assertThat(security.maxClients())
        .isEqualTo(Runtime.getRuntime().maxMemory() / SecurityOptions.HEAP_BYTES_PER_CLIENT);
    assertThat(security.limits().maxConnections()).isEqualTo(10_000);
  }

  @Test
  @DisplayName("listening beyond loopback without TLS or authentication prints a warning for each")
  void listeningBeyondLoopbackWithoutTlsOrAuthenticationWarns() {
    assertThat(SecurityOptions.warnings("0.0.0.0", 50051, parse()))
        .containsExactly(
            "Warning: listening on 0.0.0.0:50051 without TLS: calls, statuses and tokens cross the"
                + " network in plain text (see --tls-cert and --tls-key).",
            "Warning: listening on 0.0.0.0:50051 without authentication: anyone who reaches this"
                + " port can change and read every client's status (see --token-keys and"
                + " --tls-client-ca).");
    assertThat(SecurityOptions.warnings("127.0.0.1", 50051, parse())).isEmpty();
  }

  @Test
  @DisplayName("--max-clients 0 lifts the cap; options that cannot work together are refused")
  void maxClientsZeroLiftsTheCapAndBadCombinationsAreRefused() throws Exception {
    assertThat(parse("--max-clients", "0").maxClients()).isEqualTo(Long.MAX_VALUE);
    assertThat(parse("--max-clients", "500").maxClients()).isEqualTo(500);
    Path cert = Files.writeString(dir.resolve("server.crt"), "x");

    assertThatThrownBy(() -> parse("--tls-cert", cert.toString()))
        .isInstanceOf(ParameterException.class)
        .hasMessage("TLS needs both --tls-cert and --tls-key");
    assertThatThrownBy(() -> parse("--read-access", "owner"))
        .isInstanceOf(ParameterException.class)
        .hasMessage("--read-access and --admin need authentication: give --token-keys or --tls-client-ca");
    assertThatThrownBy(() -> parse("--token-keys", dir.resolve("missing.json").toString()))
        .isInstanceOf(ParameterException.class)
        .hasMessageContaining("is not a readable file");
  }
}

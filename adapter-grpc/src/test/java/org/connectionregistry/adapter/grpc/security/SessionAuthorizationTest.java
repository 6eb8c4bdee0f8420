package org.connectionregistry.adapter.grpc.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.util.List;
import org.connectionregistry.proto.ConnectRequest;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A live session changes its client's status, so it is authorized like Hello and Goodbye. */
@Feature("Live presence")
@DisplayName("Sessions are authorized like Hello and Goodbye")
class SessionAuthorizationTest {

  private final Authorization authorization = new Authorization(ReadAccess.ANYONE);

  @Test
  @Story("Only the owner of a client ID holds its session")
  @DisplayName("a caller may hold a session for its own client ID, not for another's")
  void sessionsOnlyForOwnedIds() {
    Caller alice = new Caller("alice", "token", List.of("alice"), false);

    assertThat(authorization.refusal(alice, connect("alice"))).isNull();
    assertThat(authorization.refusal(alice, connect("bob")))
        .startsWith("alice may not change client bob");
    assertThat(authorization.refusal(null, connect("bob"))).isNull(); // no authentication: as before
  }

  private static ConnectRequest connect(String clientId) {
    return ConnectRequest.newBuilder().setClientId(clientId).build();
  }
}

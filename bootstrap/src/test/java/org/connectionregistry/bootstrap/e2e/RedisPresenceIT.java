package org.connectionregistry.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.qameta.allure.Allure;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.time.Duration;
import java.util.List;
import org.connectionregistry.adapter.store.redis.testing.RedisCluster;
import org.connectionregistry.adapter.store.redis.testing.RedisServer;
import org.connectionregistry.testsupport.ServerProcess;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Several servers on one Redis, as real processes: a server killed with SIGKILL has its
 * sessions expired by the one that survives, within twice {@code --session-timeout} (10 s).
 */
@Feature("Live presence")
@DisplayName("Live presence with several servers on Redis")
class RedisPresenceIT {

  /** Twice the default {@code --session-timeout}. */
  private static final Duration BOUND = Duration.ofSeconds(10);

  @Test
  @Story("A server that dies has its sessions expired by the others")
  @DisplayName("two servers on one redis-server: the server holding a client's session is killed with SIGKILL; "
      + "the other shows the client disconnected within 10 s")
  void killedServersSessionsExpire() throws Exception {
    try (RedisServer redis = RedisServer.start()) {
      killServerHoldingSession(redis.uri(), "user_1");
    }
  }

  @Test
  @Story("Several sessions per client ID")
  @DisplayName("two servers on one redis-server: a client with a session on each stays connected when one "
      + "server is killed")
  void sessionOnTheSurvivorKeepsItConnected() throws Exception {
    try (RedisServer redis = RedisServer.start();
        ServerProcess a = Servers.start("--store", redis.uri());
        ServerProcess b = Servers.start("--store", redis.uri());
        StatusReader throughB = new StatusReader(b.target());
        PresentClient onA = PresentClient.start(a.target(), "user_2");
        PresentClient onB = PresentClient.start(b.target(), "user_2")) {
      assertThat(throughB.of("user_2")).isEqualTo("connected");

      Allure.step("server A is killed with SIGKILL", a::close);
      onA.kill9();
      List<String> seen = throughB.during("user_2", BOUND.plusSeconds(3));

      assertThat(seen).isNotEmpty().containsOnly("connected");
    }
  }

  @Test
  @Story("A server that dies has its sessions expired by the others")
  @DisplayName("two servers on a Redis Cluster: the server holding a client's session is killed with SIGKILL; "
      + "the other shows the client disconnected within 10 s")
  void killedServersSessionsExpireOnCluster() throws Exception {
    try (RedisCluster cluster = RedisCluster.start()) {
      killServerHoldingSession(cluster.uri(), "user_3");
    }
  }

  @Test
  @Story("A restarted server expires what its predecessor held")
  @DisplayName("a lone server on Redis killed with SIGKILL and started again expires what its predecessor's "
      + "sessions held, within 10 s of starting")
  void restartedServerExpiresPredecessor() throws Exception {
    try (RedisServer redis = RedisServer.start()) {
      try (ServerProcess first = Servers.start("--store", redis.uri());
          StatusReader status = new StatusReader(first.target());
          PresentClient client = PresentClient.start(first.target(), "user_4")) {
        assertThat(status.of("user_4")).isEqualTo("connected");
        // The server first, so it writes nothing more; then its client, so it comes back nowhere.
        Allure.step("the server is killed with SIGKILL", first::close);
        client.kill9();
      }
      try (ServerProcess second = Servers.start("--store", redis.uri());
          StatusReader status = new StatusReader(second.target())) {
        Duration took = status.await("user_4", "disconnected", Duration.ofSeconds(30));

        assertThat(took).isLessThanOrEqualTo(BOUND);
      }
    }
  }

  /**
   * Servers A and B on {@code store}; a client holds a session for {@code id} through A; A is
   * killed with SIGKILL, then the client. B must show {@code id} disconnected within {@link #BOUND}.
   */
  private static void killServerHoldingSession(String store, String id) throws Exception {
    try (ServerProcess a = Servers.start("--store", store);
        ServerProcess b = Servers.start("--store", store);
        StatusReader throughB = new StatusReader(b.target());
        PresentClient client = PresentClient.start(a.target(), id)) {
      assertThat(throughB.of(id)).isEqualTo("connected");

      long killedAt = System.nanoTime();
      Allure.step("server A is killed with SIGKILL", a::close);
      client.kill9(); // its only target is gone: it cannot come back anywhere
      throughB.await(id, "disconnected", Duration.ofSeconds(30));
      Duration took = Duration.ofNanos(System.nanoTime() - killedAt);
      Allure.addAttachment("kill -9 of server A to disconnected through B", took.toMillis() + " ms");

      assertThat(took).isLessThanOrEqualTo(BOUND);
    }
  }
}

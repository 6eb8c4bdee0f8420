package org.connectionregistry.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.qameta.allure.Allure;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.adapter.store.redis.testing.RedisCluster;
import org.connectionregistry.adapter.store.redis.testing.RedisServer;
import org.connectionregistry.proto.ClientServiceGrpc;
import org.connectionregistry.proto.ClientStatusRequest;
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
    try (RedisServer redis = RedisServer.start();
        ServerProcess a = Servers.start("--store", redis.uri());
        ServerProcess b = Servers.start("--store", redis.uri());
        Status throughB = new Status(b.target());
        PresentClient client = PresentClient.start(a.target(), "user_1")) {
      assertThat(throughB.of("user_1")).isEqualTo("connected");

      long killedAt = System.nanoTime();
      Allure.step("server A is killed with SIGKILL", a::close);
      client.kill9(); // its only target is gone: it cannot come back anywhere
      throughB.await("user_1", "disconnected", Duration.ofSeconds(30));
      Duration took = Duration.ofNanos(System.nanoTime() - killedAt);
      Allure.addAttachment("kill -9 of server A to disconnected through B", took.toMillis() + " ms");

      assertThat(took).isLessThanOrEqualTo(BOUND);
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
        Status throughB = new Status(b.target());
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
    try (RedisCluster cluster = RedisCluster.start();
        ServerProcess a = Servers.start("--store", cluster.uri());
        ServerProcess b = Servers.start("--store", cluster.uri());
        Status throughB = new Status(b.target());
        PresentClient client = PresentClient.start(a.target(), "user_3")) {
      assertThat(throughB.of("user_3")).isEqualTo("connected");

      long killedAt = System.nanoTime();
      Allure.step("server A is killed with SIGKILL", a::close);
      client.kill9(); // its only target is gone: it cannot come back anywhere
      throughB.await("user_3", "disconnected", Duration.ofSeconds(30));
      Duration took = Duration.ofNanos(System.nanoTime() - killedAt);
      Allure.addAttachment("kill -9 of server A to disconnected through B", took.toMillis() + " ms");

      assertThat(took).isLessThanOrEqualTo(BOUND);
    }
  }

  @Test
  @Story("A restarted server expires what its predecessor held")
  @DisplayName("a lone server on Redis killed with SIGKILL and started again expires what its predecessor's "
      + "sessions held, within 10 s of starting")
  void restartedServerExpiresPredecessor() throws Exception {
    try (RedisServer redis = RedisServer.start()) {
      try (ServerProcess first = Servers.start("--store", redis.uri());
          Status status = new Status(first.target());
          PresentClient client = PresentClient.start(first.target(), "user_4")) {
        assertThat(status.of("user_4")).isEqualTo("connected");
        // The server first, so it writes nothing more; then its client, so it comes back nowhere.
        Allure.step("the server is killed with SIGKILL", first::close);
        client.kill9();
      }
      try (ServerProcess second = Servers.start("--store", redis.uri());
          Status status = new Status(second.target())) {
        Duration took = status.await("user_4", "disconnected", Duration.ofSeconds(30));

        assertThat(took).isLessThanOrEqualTo(BOUND);
      }
    }
  }

  /** Reads statuses from one server over gRPC. */
  private static final class Status implements AutoCloseable {
    private final ManagedChannel channel;
    private final ClientServiceGrpc.ClientServiceBlockingStub stub;

    Status(String target) {
      channel = ManagedChannelBuilder.forTarget(target).usePlaintext().build();
      stub = ClientServiceGrpc.newBlockingStub(channel);
    }

    String of(String id) {
      try {
        return stub.withDeadlineAfter(5, TimeUnit.SECONDS)
            .getClientStatus(ClientStatusRequest.newBuilder().setClientId(id).build())
            .getStatusesOrDefault(id, "missing");
      } catch (StatusRuntimeException e) {
        return e.getStatus().getCode().toString();
      }
    }

    Duration await(String id, String wanted, Duration within) throws InterruptedException {
      long start = System.nanoTime();
      while (System.nanoTime() - start < within.toNanos()) {
        if (wanted.equals(of(id))) {
          return Duration.ofNanos(System.nanoTime() - start);
        }
        Thread.sleep(10);
      }
      throw new AssertionError(id + " was not " + wanted + " within " + within + "; it was " + of(id));
    }

    /** Every status read for {@code id} during {@code period}. */
    List<String> during(String id, Duration period) throws InterruptedException {
      List<String> seen = new CopyOnWriteArrayList<>();
      long end = System.nanoTime() + period.toNanos();
      while (System.nanoTime() < end) {
        seen.add(of(id));
        Thread.sleep(20);
      }
      return seen;
    }

    @Override
    public void close() throws InterruptedException {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}

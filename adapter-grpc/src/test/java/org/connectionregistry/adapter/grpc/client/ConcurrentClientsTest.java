package org.connectionregistry.adapter.grpc.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.adapter.grpc.Loopback;
import org.connectionregistry.adapter.grpc.server.ClientServiceEndpoint;
import org.connectionregistry.adapter.grpc.server.GrpcServer;
import org.connectionregistry.application.port.in.SendMessageCommand;
import org.connectionregistry.application.service.ConnectionService;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionStatus;
import org.connectionregistry.domain.InMemoryConnectionRegistry;
import org.connectionregistry.domain.StatusChange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Many users at once, each on its own connection, as in the original's multi-terminal use. */
@Feature("Several clients")
@Story("Many clients at once")
@DisplayName("Several clients at once, over Netty on 127.0.0.1")
class ConcurrentClientsTest {

  private static final int CHANNELS = 8;
  private static final int CLIENTS_PER_CHANNEL = 25;
  private static final int MESSAGES_PER_CLIENT = 30;

  private final List<ManagedChannel> channels = new ArrayList<>();
  private GrpcServer server;
  private ExecutorService senders;

  @AfterEach
  void closeEverything() throws InterruptedException {
    if (senders != null) {
      senders.shutdownNow();
      senders.awaitTermination(10, TimeUnit.SECONDS);
    }
    for (ManagedChannel channel : channels) {
      Loopback.close(channel);
    }
    if (server != null) {
      server.stop(Duration.ZERO);
    }
  }

  @Test
  @DisplayName("interleaved Hellos and Goodbyes from many channels lose no update")
  void interleavedHellosAndGoodbyesFromManyChannelsLoseNoUpdate() throws Exception {
    ConnectionService service = new ConnectionService(new InMemoryConnectionRegistry());
    ClientServiceEndpoint endpoint = new ClientServiceEndpoint(service, service, service);
    server = new GrpcServer(Loopback.serverBuilder(), endpoint).start();
    String target = Loopback.target(server.port());
    senders = Executors.newFixedThreadPool(CHANNELS);
    Map<ClientId, ConnectionStatus> lastSent = new ConcurrentHashMap<>();
    CountDownLatch ready = new CountDownLatch(CHANNELS);

    List<Future<Integer>> sent = new ArrayList<>();
    for (int c = 0; c < CHANNELS; c++) {
      GrpcConnectionClient client =
          new GrpcConnectionClient(channel(), target, Duration.ofSeconds(20));
      int channelNumber = c;
      Callable<Integer> sender =
          () -> {
            ready.countDown();
            ready.await();
            return sendInterleaved(client, channelNumber, lastSent);
          };
      sent.add(senders.submit(sender));
    }
    int total = 0;
    for (Future<Integer> perChannel : sent) {
      total += perChannel.get(60, TimeUnit.SECONDS);
    }

    GrpcConnectionClient reader =
        new GrpcConnectionClient(channel(), target, Duration.ofSeconds(20));
    Map<ClientId, ConnectionStatus> listed = new HashMap<>();
    for (ClientConnection connection : reader.listClients()) {
      listed.put(connection.clientId(), connection.status());
    }
    assertThat(total).isEqualTo(CHANNELS * CLIENTS_PER_CHANNEL * MESSAGES_PER_CLIENT);
    assertThat(listed).hasSize(CHANNELS * CLIENTS_PER_CHANNEL).isEqualTo(lastSent);
  }

  /**
   * Sends every client of one channel its messages, round after round, so that the clients'
   * messages interleave; remembers the status each client's last message leads to.
   */
  private static int sendInterleaved(
      GrpcConnectionClient client, int channelNumber, Map<ClientId, ConnectionStatus> lastSent) {
    Random random = new Random(channelNumber);
    int sent = 0;
    for (int round = 0; round < MESSAGES_PER_CLIENT; round++) {
      for (int i = 0; i < CLIENTS_PER_CHANNEL; i++) {
        ClientId clientId = ClientId.of("ch" + channelNumber + "-user" + i);
        boolean hello = random.nextBoolean();
        String word = hello ? "Hello" : "Goodbye";
        String message = random.nextBoolean() ? word : word.toUpperCase(Locale.ROOT);
        StatusChange change = client.sendMessage(new SendMessageCommand(clientId, message));
        ConnectionStatus expected =
            hello ? ConnectionStatus.CONNECTED : ConnectionStatus.DISCONNECTED;
        assertThat(change.status()).isEqualTo(expected);
        lastSent.put(clientId, expected);
        sent++;
      }
    }
    return sent;
  }

  private ManagedChannel channel() {
    ManagedChannel channel = Loopback.channelTo(server.port());
    channels.add(channel);
    return channel;
  }
}

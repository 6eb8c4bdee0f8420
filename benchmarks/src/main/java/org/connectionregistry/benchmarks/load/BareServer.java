package org.connectionregistry.benchmarks.load;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.connectionregistry.proto.ClientServiceGrpc;
import org.connectionregistry.proto.ClientStatusRequest;
import org.connectionregistry.proto.ClientStatusResponse;
import org.connectionregistry.proto.MessageRequest;
import org.connectionregistry.proto.MessageResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The yardstick: a grpc-java server that answers the registry's RPCs with constant responses and
 * does nothing else. Whatever the full server costs beyond this is ours to explain. With {@code
 * --answers map} it does the least a real registry must: it keeps statuses in a {@link
 * ConcurrentHashMap} and builds each answer, the anchor the in-memory store is measured against.
 */
@Command(
    name = "bare-server",
    mixinStandardHelpOptions = true,
    description = "A gRPC server answering SendMessage and GetClientStatus with constants, on "
        + "127.0.0.1.")
public final class BareServer implements Callable<Integer> {

  /** What {@code Compare} waits for on the server's output. */
  public static final String READY_LINE_PREFIX = "Bare server is ready on port ";

  static final MessageResponse SEND_RESPONSE =
      MessageResponse.newBuilder()
          .setSuccess(true)
          .setInfo("Client x marked as connected.")
          .build();
  static final ClientStatusResponse STATUS_RESPONSE =
      ClientStatusResponse.newBuilder().putStatuses("x", "connected").build();

  @Option(
      names = "--port",
      defaultValue = "0",
      description = "Port on 127.0.0.1, 0 for any free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--answers",
      defaultValue = "constant",
      description = "constant: the same answer to every call; map: statuses kept in a "
          + "ConcurrentHashMap, answers built from them (default: ${DEFAULT-VALUE}).")
  String answers;

  @Option(
      names = "--executor",
      defaultValue = "direct",
      description = "Where handlers run: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  ExecutorChoice executor;

  /** Starts a bare server on 127.0.0.1; the caller stops it. */
  public static Server start(int port, ExecutorChoice executor) throws IOException {
    return start(port, executor, new ConstantService());
  }

  private static Server start(
      int port, ExecutorChoice executor, ClientServiceGrpc.ClientServiceImplBase service)
      throws IOException {
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
            .addService(service);
    executor.applyTo(builder);
    return builder.build().start();
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    ClientServiceGrpc.ClientServiceImplBase service;
    switch (answers) {
      case "constant":
        service = new ConstantService();
        break;
      case "map":
        service = new MapService();
        break;
      default:
        throw new picocli.CommandLine.ParameterException(
            new picocli.CommandLine(this), "--answers must be constant or map, got " + answers);
    }
    Server server = start(port, executor, service);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.shutdown();
                  try {
                    if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                      server.shutdownNow();
                    }
                  } catch (InterruptedException e) {
                    server.shutdownNow();
                    Thread.currentThread().interrupt();
                  }
                },
                "shutdown"));
    System.out.println(
        READY_LINE_PREFIX + server.getPort() + " (executor: " + executor.optionName() + ").");
    System.out.flush();
    server.awaitTermination();
    return 0;
  }

  public static void main(String[] args) {
    System.exit(Cli.commandLine(new BareServer()).execute(args));
  }

  private static final class ConstantService extends ClientServiceGrpc.ClientServiceImplBase {

    @Override
    public void sendMessage(MessageRequest request, StreamObserver<MessageResponse> response) {
      response.onNext(SEND_RESPONSE);
      response.onCompleted();
    }

    @Override
    public void getClientStatus(
        ClientStatusRequest request, StreamObserver<ClientStatusResponse> response) {
      response.onNext(STATUS_RESPONSE);
      response.onCompleted();
    }
  }

  /** Statuses in a ConcurrentHashMap: what any in-memory registry has to do at the least. */
  private static final class MapService extends ClientServiceGrpc.ClientServiceImplBase {
    private final ConcurrentHashMap<String, String> statuses = new ConcurrentHashMap<>();

    @Override
    public void sendMessage(MessageRequest request, StreamObserver<MessageResponse> response) {
      String message = request.getMessage().strip();
      String status;
      if (message.equalsIgnoreCase("hello")) {
        status = "connected";
      } else if (message.equalsIgnoreCase("goodbye")) {
        status = "disconnected";
      } else {
        response.onError(
            io.grpc.Status.INVALID_ARGUMENT
                .withDescription("Invalid message type: " + request.getMessage())
                .asRuntimeException());
        return;
      }
      statuses.put(request.getClientId(), status);
      response.onNext(
          MessageResponse.newBuilder()
              .setSuccess(true)
              .setInfo("Client " + request.getClientId() + " marked as " + status + ".")
              .build());
      response.onCompleted();
    }

    @Override
    public void getClientStatus(
        ClientStatusRequest request, StreamObserver<ClientStatusResponse> response) {
      String status = statuses.get(request.getClientId());
      if (status == null) {
        response.onError(
            io.grpc.Status.NOT_FOUND
                .withDescription("Client " + request.getClientId() + " not found")
                .asRuntimeException());
        return;
      }
      response.onNext(
          ClientStatusResponse.newBuilder().putStatuses(request.getClientId(), status).build());
      response.onCompleted();
    }
  }
}

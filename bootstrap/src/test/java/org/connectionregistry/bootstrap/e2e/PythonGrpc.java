package org.connectionregistry.bootstrap.e2e;

import io.qameta.allure.Allure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import org.connectionregistry.testsupport.FreePort;
import org.connectionregistry.testsupport.ServerProcess;

/**
 * Python's gRPC (grpcio) and protobuf, for the cross-language tests: the contract's .proto
 * compiled with {@code protoc --python_out}, a Python client built from it, and a Python server
 * that answers as the original system does. The scripts live in {@code src/test/python}.
 *
 * <p>Needs Debian's {@code python3-grpcio}, {@code python3-protobuf} and {@code protobuf-compiler}
 * ({@code .ci/run} installs them; the {@code python-interop} profile runs these tests only where
 * they are installed). The interpreter is {@code /usr/bin/python3}, the one those packages serve,
 * or the {@code interop.python} system property.
 */
final class PythonGrpc {

  private static final Path SCRIPTS = Paths.get("src/test/python");
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final String python;
  private final Path generated;

  private PythonGrpc(String python, Path generated) {
    this.python = python;
    this.generated = generated;
  }

  /** Compiles the contract's .proto for Python into {@code directory}. */
  static PythonGrpc prepare(Path directory) throws IOException, InterruptedException {
    String python = System.getProperty("interop.python", "/usr/bin/python3");
    Result protoc =
        run(
            new ProcessBuilder(
                "protoc",
                "--python_out=" + directory,
                "-I", SCRIPTS.resolve("contract").toString(),
                "client_service.proto"),
            "");
    if (protoc.exitCode != 0 || !Files.exists(directory.resolve("client_service_pb2.py"))) {
      throw new IllegalStateException("protoc could not compile the contract for Python: " + protoc);
    }
    PythonGrpc grpc = new PythonGrpc(python, directory);
    Result check = run(grpc.python("-c", "import grpc, client_service_pb2"), "");
    if (check.exitCode != 0) {
      throw new IllegalStateException(
          python + " cannot import grpc and the compiled contract (install Debian's python3-grpcio "
              + "and python3-protobuf): " + check);
    }
    return grpc;
  }

  /**
   * Runs the Python contract client against {@code target}: one call per line, fields separated
   * by tabs ({@code send<TAB>id<TAB>message}, {@code status<TAB>id}); returns one answer per call.
   */
  List<String> callsAgainst(String target, List<String> calls) throws IOException, InterruptedException {
    String input = String.join("\n", calls) + "\n";
    return Allure.step(
        "a Python client (grpcio, the contract's .proto) makes " + calls.size() + " calls to " + target,
        () -> {
          Result result = run(python(SCRIPTS.resolve("contract_client.py").toString(), target), input);
          Allure.addAttachment("calls (tab-separated)", "text/plain", input, ".txt");
          Allure.addAttachment("Python client answers", "text/plain", result.stdout, ".txt");
          if (!result.stderr.isEmpty()) {
            Allure.addAttachment("Python client errors (stderr)", "text/plain", result.stderr, ".txt");
          }
          if (result.exitCode != 0) {
            throw new AssertionError("the Python client failed: " + result);
          }
          return result.stdout.lines().toList();
        });
  }

  /** Starts the Python server that plays the original system, on a free loopback port. */
  ServerProcess startOriginalServer() throws IOException, InterruptedException {
    int port = FreePort.onLoopback();
    return Servers.launch(
        "the original's Python server (grpcio) is started on 127.0.0.1:" + port,
        "Python server",
        python(SCRIPTS.resolve("original_server.py").toString(), String.valueOf(port)),
        port);
  }

  private ProcessBuilder python(String... args) {
    ProcessBuilder builder = new ProcessBuilder(python);
    builder.command().addAll(List.of(args));
    builder.environment().put("PYTHONPATH", generated.toString());
    builder.environment().put("PYTHONUNBUFFERED", "1");
    return builder;
  }

  private static Result run(ProcessBuilder builder, String input) throws IOException, InterruptedException {
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot run " + builder.command().get(0) + ": the cross-language tests need Debian's "
              + "python3-grpcio, python3-protobuf and protobuf-compiler", e);
    }
    Processes.Finished finished = Processes.feedAndWait(process, input, TIMEOUT);
    if (finished.timedOut()) {
      throw new AssertionError(builder.command() + " did not finish within " + TIMEOUT);
    }
    return new Result(finished.exitCode(), finished.stdout(), finished.stderr());
  }

  private record Result(int exitCode, String stdout, String stderr) {}
}

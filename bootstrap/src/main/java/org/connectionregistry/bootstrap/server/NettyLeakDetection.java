package org.connectionregistry.bootstrap.server;

import java.util.List;

/**
 * Turns Netty's buffer leak detection off in the server, unless the JVM was told otherwise.
 *
 * <p>At its default level Netty records where one buffer in 128 was allocated and touched,
 * each record a stack trace taken on the event loop. That is a few per cent of the server's CPU
 * on every call (measured on SendMessage with async-profiler), spent to find buffers that our
 * code never handles: gRPC allocates and releases them itself. The check stays one flag away for
 * whoever hunts a leak: {@code java -Dio.grpc.netty.shaded.io.netty.leakDetection.level=paranoid
 * -jar connection-server.jar} (or {@code simple}) wins over this, as does {@code
 * io.netty.leakDetection.level} for the plain Netty under the Redis client.
 *
 * <p>Must run before any Netty class is loaded: Netty reads the level once.
 */
final class NettyLeakDetection {

  /** The level properties of gRPC's shaded Netty and of plain Netty, new name then old. */
  static final List<List<String>> LEVEL_PROPERTIES =
      List.of(
          List.of(
              "io.grpc.netty.shaded.io.netty.leakDetection.level",
              "io.grpc.netty.shaded.io.netty.leakDetectionLevel"),
          List.of("io.netty.leakDetection.level", "io.netty.leakDetectionLevel"));

  static final String OFF = "disabled";

  private NettyLeakDetection() {}

  /** Sets each Netty's level to {@value #OFF} where neither of its properties is set. */
  static void offUnlessAsked() {
    for (List<String> names : LEVEL_PROPERTIES) {
      if (names.stream().noneMatch(name -> System.getProperty(name) != null)) {
        System.setProperty(names.get(0), OFF);
      }
    }
  }
}

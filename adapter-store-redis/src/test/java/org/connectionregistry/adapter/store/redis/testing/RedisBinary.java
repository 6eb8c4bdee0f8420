package org.connectionregistry.adapter.store.redis.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds a {@code redis-server} executable for the tests, so that they run on a machine that has
 * only a JDK and Maven.
 *
 * <ol>
 *   <li>{@code redis-server} on the {@code PATH}, when there is one (CI installs Debian's);
 *   <li>otherwise the binary for this platform that the {@code embedded-redis} test dependency
 *       carries (Redis 6.2 for Linux x86-64 and ARM64, and macOS), copied once into a temporary
 *       directory and made executable.
 * </ol>
 *
 * Only the binaries of {@code embedded-redis} are used, not its Java API: the tests start and stop
 * the process themselves.
 */
final class RedisBinary {

  private static final String NAME = "redis-server";

  private static Path located;

  private RedisBinary() {}

  /** The executable to run; fails with what to install when there is none for this platform. */
  static synchronized Path locate() {
    if (located == null) {
      located = onPath().orElseGet(RedisBinary::bundled);
    }
    return located;
  }

  private static Optional<Path> onPath() {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    return Stream.of(path.split(java.io.File.pathSeparator))
        .filter(entry -> !entry.isEmpty())
        .map(entry -> Path.of(entry, NAME))
        .filter(Files::isExecutable)
        .findFirst();
  }

  private static Path bundled() {
    String resource = bundledResourceName();
    try (InputStream binary = RedisBinary.class.getResourceAsStream("/" + resource)) {
      if (binary == null) {
        throw new IllegalStateException(
            "No redis-server on the PATH, and embedded-redis has no " + resource + " on the test "
                + "classpath. The Redis tests need a real Redis: install it, e.g. "
                + "'apt-get install redis-server' on Debian/Ubuntu.");
      }
      Path directory = Files.createTempDirectory("redis-binary");
      directory.toFile().deleteOnExit(); // deleted in reverse order: the binary first, then this
      Path executable = directory.resolve(NAME);
      Files.copy(binary, executable, StandardCopyOption.REPLACE_EXISTING);
      if (!executable.toFile().setExecutable(true, true)) {
        throw new IllegalStateException("Cannot make " + executable + " executable");
      }
      executable.toFile().deleteOnExit();
      return executable;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot unpack " + resource + " from embedded-redis", e);
    }
  }

  private static String bundledResourceName() {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
    boolean arm64 = arch.equals("aarch64") || arch.equals("arm64");
    boolean x64 = arch.equals("amd64") || arch.equals("x86_64");
    if (os.contains("linux") && x64) {
      return "redis-server-6.2.6-v5-linux-amd64";
    }
    if (os.contains("linux") && arm64) {
      return "redis-server-6.2.7-linux-arm64";
    }
    if (os.contains("mac") && x64) {
      return "redis-server-6.2.6-v5-darwin-amd64";
    }
    if (os.contains("mac") && arm64) {
      return "redis-server-6.2.6-v5-darwin-arm64";
    }
    return "redis-server for " + os + "/" + arch;
  }
}

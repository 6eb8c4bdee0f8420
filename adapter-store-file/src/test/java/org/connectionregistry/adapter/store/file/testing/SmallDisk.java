package org.connectionregistry.adapter.store.file.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A disk that really fills up, for the file store's full-disk tests here and in bootstrap's
 * end-to-end tests: a 4 MiB tmpfs mounted for one test and unmounted by {@link #close()}.
 * Mounting needs root (CI runs as root); where the mount is refused, the test is skipped with the
 * reason.
 */
public final class SmallDisk implements AutoCloseable {

  private final Path path;

  private SmallDisk(Path path) {
    this.path = path;
  }

  /**
   * Mounts the disk on a new directory {@code disk} in {@code parent}; skips the test (a failed
   * assumption) where it cannot.
   */
  public static SmallDisk mountIn(Path parent) throws IOException, InterruptedException {
    Path disk = Files.createDirectory(parent.resolve("disk"));
    Process mount =
        new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", disk.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(mount.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    boolean finished = mount.waitFor(30, TimeUnit.SECONDS);
    boolean mounted = finished && mount.exitValue() == 0;
    Assumptions.assumeTrue(
        mounted, "cannot mount a tmpfs here (needs root): " + (finished ? output : "mount hung"));
    return new SmallDisk(disk);
  }

  /** Where the disk is mounted. */
  public Path path() {
    return path;
  }

  /**
   * Writes a ballast file until the disk has no room left, checks that it really has none, and
   * returns the file: deleting it makes room again.
   */
  public Path fill() throws IOException {
    Path ballast = path.resolve("ballast");
    byte[] block = new byte[4096];
    try (OutputStream out = Files.newOutputStream(ballast)) {
      while (true) {
        out.write(block);
      }
    } catch (IOException noSpaceLeft) {
      assertThat(noSpaceLeft).hasMessageContaining("No space left");
    }
    return ballast;
  }

  /** Unmounts the disk (lazily, should a file on it still be open). */
  @Override
  public void close() throws IOException, InterruptedException {
    new ProcessBuilder("umount", "-l", path.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
  }
}

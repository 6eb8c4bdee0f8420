package org.connectionregistry.adapter.store.file;

import java.nio.file.Path;
import org.connectionregistry.domain.RegistryUnavailableException;

/**
 * The store file could not be opened. The message is one line that names the file and says what
 * is wrong, fit to show a user as it is; the cause, if any, is kept for logs.
 *
 * <p>It is a {@link RegistryUnavailableException} so that a caller that starts any registry can
 * handle "the storage cannot be used" in one place.
 */
public final class StoreOpenException extends RegistryUnavailableException {

  private final Path file;

  StoreOpenException(Path file, String problem) {
    super("Cannot open store file " + file + ": " + problem);
    this.file = file;
  }

  StoreOpenException(Path file, String problem, Throwable cause) {
    super("Cannot open store file " + file + ": " + problem, cause);
    this.file = file;
  }

  /** The file that could not be opened. */
  public Path file() {
    return file;
  }
}

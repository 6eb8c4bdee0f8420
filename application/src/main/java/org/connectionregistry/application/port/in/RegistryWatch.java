package org.connectionregistry.application.port.in;

import java.util.Optional;

/**
 * One watcher's view of the registry as it changes, pulled at the watcher's own pace: it holds a
 * position, not a queue, so a slow reader costs the server nothing but that position, until it
 * falls so far behind that it is cut off (see {@link #next}).
 *
 * <p>Used by one thread at a time. The {@code onReady} callback given to {@link
 * WatchClientsUseCase#watch} runs when {@link #next} may have something new after it returned
 * empty; it runs on whatever thread noticed, so it only schedules the watcher's next read.
 */
public interface RegistryWatch extends AutoCloseable {

  /**
   * The next event, if one is ready now; never waits. A snapshot page or a batch of changes holds
   * at most {@code max} entries.
   *
   * @throws org.connectionregistry.domain.RevisionCompactedException if the changes the watcher
   *     needs next are no longer kept: it lists again and watches from there
   * @throws WatcherTooSlowException if the watcher fell too far behind the newest change: it
   *     resumes from {@link WatcherTooSlowException#resumeAfter()}
   * @throws org.connectionregistry.domain.RegistryUnavailableException if reading the snapshot
   *     failed because the store could not be reached
   */
  Optional<WatchEvent> next(int max);

  /**
   * Throws what {@link #next} would end the watch with if the watcher has been cut off, without
   * taking an event: for a watcher that cannot take one now (its transport is full), so that it
   * is ended all the same.
   *
   * @throws WatcherTooSlowException if the watcher fell too far behind and was cut off
   */
  void checkStanding();

  /** The revision the watcher is current to: the last change (or snapshot) handed over. */
  long revision();

  /** Ends the watch and its notifications; harmless twice. */
  @Override
  void close();
}

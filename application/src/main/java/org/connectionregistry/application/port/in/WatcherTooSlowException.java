package org.connectionregistry.application.port.in;

/**
 * A watcher fell so far behind the newest change that the server stopped waiting for it. It
 * lost nothing: it resumes from {@link #resumeAfter()}, the last revision it was given.
 */
public final class WatcherTooSlowException extends RuntimeException {

  private final long resumeAfter;
  private final long behind;

  public WatcherTooSlowException(long resumeAfter, long behind) {
    super(
        "Watcher too slow: "
            + behind
            + " changes behind the newest. Resume the watch after revision "
            + resumeAfter
            + ".");
    this.resumeAfter = resumeAfter;
    this.behind = behind;
  }

  /** The last revision the watcher was given: watch again after it. */
  public long resumeAfter() {
    return resumeAfter;
  }

  /** How many changes behind the newest it was when it was cut off. */
  public long behind() {
    return behind;
  }
}

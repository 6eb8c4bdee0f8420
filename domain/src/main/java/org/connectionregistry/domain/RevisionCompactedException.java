package org.connectionregistry.domain;

/**
 * The changes after a revision were asked for, but the registry no longer keeps all of them:
 * the caller lists the clients again and follows the changes from that listing's revision.
 */
public final class RevisionCompactedException extends DomainException {

  private final long requested;
  private final long compacted;

  /**
   * @param requested the revision after which changes were asked for
   * @param compacted the newest revision no longer kept: changes after it still are
   */
  public RevisionCompactedException(long requested, long compacted) {
    super(
        "Revision "
            + requested
            + " is no longer kept: changes are kept after revision "
            + compacted
            + " only. List the clients again and watch from the listing's revision.");
    this.requested = requested;
    this.compacted = compacted;
  }

  public long requested() {
    return requested;
  }

  /** The oldest revision a watch can still start after. */
  public long compacted() {
    return compacted;
  }
}

package org.connectionregistry.domain;

/** How many registered clients are connected and how many disconnected, at a revision. */
public record ClientCounts(long connected, long disconnected, long revision) {

  public ClientCounts {
    if (connected < 0 || disconnected < 0 || revision < 0) {
      throw new IllegalArgumentException(
          "counts and revision cannot be negative: "
              + connected + ", " + disconnected + ", " + revision);
    }
  }

  /** Every registered client. */
  public long total() {
    return connected + disconnected;
  }
}

package org.connectionregistry.adapter.store.file;

import java.nio.ByteBuffer;
import java.time.Instant;
import org.connectionregistry.domain.ClientChange;
import org.connectionregistry.domain.ClientConnection;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ConnectionStatus;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;

/**
 * A client's entry as the file keeps it under its client ID: status, and the revision and time
 * (epoch milliseconds) of the change that gave it that status.
 */
record StoredEntry(ConnectionStatus status, long revision, long sinceMillis) {

  /** The entry a change leaves its client with. */
  static StoredEntry of(ClientChange change) {
    return new StoredEntry(change.status(), change.revision(), change.at().toEpochMilli());
  }

  /** The entry as the port returns it. */
  ClientConnection toConnection(String clientId) {
    return toConnection(new ClientId(clientId));
  }

  ClientConnection toConnection(ClientId clientId) {
    return new ClientConnection(clientId, status, revision, Instant.ofEpochMilli(sinceMillis));
  }

  /**
   * How MVStore writes an entry: a status code byte, then the revision and the time as variable-
   * length longs (about 10 bytes in all). The codes are this file format's own, not enum ordinals,
   * so reordering an enum never changes what a file means.
   */
  static final class Type extends BasicDataType<StoredEntry> {

    static final Type INSTANCE = new Type();

    private Type() {}

    @Override
    public int getMemory(StoredEntry entry) {
      return 40;
    }

    @Override
    public void write(WriteBuffer buffer, StoredEntry entry) {
      buffer.put(StatusCodes.code(entry.status()));
      buffer.putVarLong(entry.revision());
      buffer.putVarLong(entry.sinceMillis());
    }

    @Override
    public StoredEntry read(ByteBuffer buffer) {
      ConnectionStatus status = StatusCodes.status(buffer.get());
      long revision = DataUtils.readVarLong(buffer);
      long since = DataUtils.readVarLong(buffer);
      return new StoredEntry(status, revision, since);
    }

    @Override
    public StoredEntry[] createStorage(int size) {
      return new StoredEntry[size];
    }
  }
}

package org.connectionregistry.adapter.store.file;

import java.nio.ByteBuffer;
import java.time.Instant;
import org.connectionregistry.domain.ClientChange;
import org.connectionregistry.domain.ClientId;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;

/**
 * How MVStore writes one change of the kept history (whose key is its revision): the revision
 * again, the client ID, status and reason codes ({@link StatusCodes}) and the time in epoch
 * milliseconds.
 */
final class StoredChangeType extends BasicDataType<ClientChange> {

  static final StoredChangeType INSTANCE = new StoredChangeType();

  private StoredChangeType() {}

  @Override
  public int getMemory(ClientChange change) {
    return 64 + 2 * change.clientId().value().length();
  }

  @Override
  public void write(WriteBuffer buffer, ClientChange change) {
    String id = change.clientId().value();
    buffer.putVarLong(change.revision());
    buffer.putVarInt(id.length()).putStringData(id, id.length());
    buffer.put(StatusCodes.code(change.status()));
    buffer.put(StatusCodes.code(change.reason()));
    buffer.putVarLong(change.at().toEpochMilli());
  }

  @Override
  public ClientChange read(ByteBuffer buffer) {
    long revision = DataUtils.readVarLong(buffer);
    String id = DataUtils.readString(buffer);
    return new ClientChange(
        revision,
        new ClientId(id),
        StatusCodes.status(buffer.get()),
        StatusCodes.reason(buffer.get()),
        Instant.ofEpochMilli(DataUtils.readVarLong(buffer)));
  }

  @Override
  public ClientChange[] createStorage(int size) {
    return new ClientChange[size];
  }
}

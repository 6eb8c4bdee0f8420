package org.connectionregistry.adapter.grpc.client;

import io.grpc.StatusRuntimeException;
import org.connectionregistry.proto.ListClientsResponse;

/** What one ListClients call can deliver: pages, then exactly one end, completed or failed. */
sealed interface ListingEvent {

  /** One page as it came off the wire. */
  record Page(ListClientsResponse response) implements ListingEvent {}

  /** The server sent its last page. */
  record Completed() implements ListingEvent {}

  /** The call failed, at the server or on the way. */
  record Failed(StatusRuntimeException failure) implements ListingEvent {}
}

package org.connectionregistry.adapter.console.archfixture;

import org.connectionregistry.proto.MessageRequest;

/** Breaks the onion on purpose: the console adapter using the gRPC adapter's generated types. */
public final class ConsoleThatBuildsProtobuf {
  MessageRequest request() {
    return MessageRequest.newBuilder().setClientId("user_1").setMessage("Hello").build();
  }
}

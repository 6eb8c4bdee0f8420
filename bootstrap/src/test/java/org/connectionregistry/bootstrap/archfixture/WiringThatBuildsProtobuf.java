package org.connectionregistry.bootstrap.archfixture;

import org.connectionregistry.proto.ClientStatusRequest;

/** Breaks a rule on purpose: generated protobuf types used outside the gRPC adapter. */
public final class WiringThatBuildsProtobuf {
  ClientStatusRequest everyone() {
    return ClientStatusRequest.getDefaultInstance();
  }
}

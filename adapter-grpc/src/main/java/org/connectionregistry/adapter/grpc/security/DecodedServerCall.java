package org.connectionregistry.adapter.grpc.security;

import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.SecurityLevel;
import io.grpc.ServerCall;
import io.grpc.Status;

/**
 * The call as the original handler knows it: same responses, its own method descriptor, while
 * the transport underneath carries messages or {@link RejectedRequest}s. Every status it closes
 * with is first made fit to send ({@link BoundedStatusDescriptions#bounded}).
 */
final class DecodedServerCall<ReqT, RespT> extends ServerCall<ReqT, RespT> {

  private final ServerCall<Object, RespT> call;
  private final MethodDescriptor<ReqT, RespT> method;

  DecodedServerCall(
      ServerCall<Object, RespT> call, MethodDescriptor<ReqT, RespT> method) {
    this.call = call;
    this.method = method;
  }

  @Override
  public void request(int numMessages) {
    call.request(numMessages);
  }

  @Override
  public void sendHeaders(Metadata headers) {
    call.sendHeaders(headers);
  }

  @Override
  public void sendMessage(RespT message) {
    call.sendMessage(message);
  }

  @Override
  public boolean isReady() {
    return call.isReady();
  }

  @Override
  public void close(Status status, Metadata trailers) {
    call.close(BoundedStatusDescriptions.bounded(status), trailers);
  }

  @Override
  public boolean isCancelled() {
    return call.isCancelled();
  }

  @Override
  public void setMessageCompression(boolean enabled) {
    call.setMessageCompression(enabled);
  }

  @Override
  public void setCompression(String compressor) {
    call.setCompression(compressor);
  }

  @Override
  public void setOnReadyThreshold(int numBytes) {
    call.setOnReadyThreshold(numBytes);
  }

  @Override
  public SecurityLevel getSecurityLevel() {
    return call.getSecurityLevel();
  }

  @Override
  public Attributes getAttributes() {
    return call.getAttributes();
  }

  @Override
  public String getAuthority() {
    return call.getAuthority();
  }

  @Override
  public MethodDescriptor<ReqT, RespT> getMethodDescriptor() {
    return method;
  }
}

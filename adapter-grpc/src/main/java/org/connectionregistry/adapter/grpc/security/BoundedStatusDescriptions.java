package org.connectionregistry.adapter.grpc.security;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Keeps every status description small enough to reach the caller. A description travels
 * percent-encoded in the {@code grpc-message} trailer, and a peer refuses trailers larger than
 * its limit (8 KiB by default): a description of 900 Chinese characters is 8,100 bytes encoded,
 * and the caller would get {@code RESOURCE_EXHAUSTED} instead of the status we sent. So the
 * bound is on the encoded size, for every service and every status, wherever it was made.
 */
public final class BoundedStatusDescriptions implements ServerInterceptor {

  /** Most bytes a description may take percent-encoded; a quarter of a peer's default limit. */
  public static final int MAX_ENCODED_BYTES = 2048;

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    return next.startCall(
        new SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            super.close(bounded(status), trailers);
          }
        },
        headers);
  }

  /**
   * The status with its description made fit to send (see {@link #withoutInternalNames} and
   * {@link #bound}); the same object if it already is. For a wrapper of a call that bounds the
   * statuses itself, instead of wrapping the call once more through this interceptor.
   */
  public static Status bounded(Status status) {
    String description = status.getDescription();
    String bounded = bound(withoutInternalNames(status.getCode(), description));
    return bounded == description ? status : status.withDescription(bounded);
  }

  /**
   * The description without the names of our objects ({@code sun.nio.ch.FileChannelImpl@6d06d69c},
   * as an engine's error message may carry), for the statuses that report our own failures; the
   * descriptions of other statuses echo what the caller sent, which stays as it was.
   */
  static String withoutInternalNames(Status.Code code, String description) {
    if (description == null
        || description.indexOf('@') < 0
        || !(code == Status.Code.UNAVAILABLE
            || code == Status.Code.INTERNAL
            || code == Status.Code.UNKNOWN
            || code == Status.Code.DATA_LOSS)) {
      return description;
    }
    return OBJECT_NAME.matcher(description).replaceAll("an internal object");
  }

  /** {@code Object.toString()}'s default form: a qualified class name, '@', a hash in hex. */
  private static final java.util.regex.Pattern OBJECT_NAME =
      java.util.regex.Pattern.compile("\\b(?:[a-z_][\\w$]*\\.)+[A-Za-z_][\\w$]*@[0-9a-f]{1,8}\\b");

  /**
   * The text cut at a character boundary so that, percent-encoded, it takes at most
   * {@link #MAX_ENCODED_BYTES} with a note of how many characters were left out; the same object
   * if it already fits.
   */
  public static String bound(String text) {
    if (text == null) {
      return null;
    }
    int budget = MAX_ENCODED_BYTES - 40; // room for the note
    int used = 0;
    int i = 0;
    while (i < text.length()) {
      int codePoint = text.codePointAt(i);
      int cost = encodedSize(codePoint);
      if (used + cost > budget) {
        break;
      }
      used += cost;
      i += Character.charCount(codePoint);
    }
    if (i == text.length()) {
      return text;
    }
    // The whole text may still fit once the note's room is counted back in.
    int rest = used;
    for (int j = i; j < text.length(); ) {
      int codePoint = text.codePointAt(j);
      rest += encodedSize(codePoint);
      j += Character.charCount(codePoint);
      if (rest > MAX_ENCODED_BYTES) {
        int left = text.codePointCount(i, text.length());
        return text.substring(0, i) + "... (" + left + " more characters)";
      }
    }
    return text;
  }

  /** Bytes a code point takes in gRPC's percent-encoding of {@code grpc-message}. */
  static int encodedSize(int codePoint) {
    if (codePoint >= ' ' && codePoint < '~' && codePoint != '%') {
      return 1;
    }
    int utf8 = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
    return 3 * utf8;
  }
}

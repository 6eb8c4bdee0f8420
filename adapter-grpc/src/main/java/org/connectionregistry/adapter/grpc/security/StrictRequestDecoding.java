package org.connectionregistry.adapter.grpc.security;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import com.google.protobuf.WireFormat;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.Marshaller;
import io.grpc.MethodDescriptor.PrototypeMarshaller;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/**
 * Binds a service so that a request that does not decode is answered {@code INVALID_ARGUMENT}
 * with the field it concerns, instead of gRPC's {@code UNKNOWN: Application error processing
 * RPC} and a SEVERE stack trace per request.
 *
 * <p>Protobuf rejects a {@code string} field that is not valid UTF-8 (CESU-8 surrogates
 * included) while gRPC parses the request, before any interceptor or handler runs. So each
 * method's request marshaller is replaced by one that first walks the wire format guided by the
 * message's descriptor, checking every string field with protobuf's own UTF-8 rule, and only then
 * parses; it never throws. The handler then sees either a message or the reason it is not one.
 *
 * <p>For messages whose every string field protobuf itself checks while parsing (proto3's
 * {@code string}, and any field of a map entry), a request that parses has no bad UTF-8 to report,
 * so the walk only runs after a parse failed, to name the field: a good request costs one parse,
 * the same as without this guard. Other messages are walked first, as described above.
 *
 * <p>The call the handler sees also bounds every status it is closed with, as {@link
 * BoundedStatusDescriptions} does, so that the service needs no interceptor for that.
 */
public final class StrictRequestDecoding {

  private static final RateLimitedLog log =
      new RateLimitedLog(LoggerFactory.getLogger(StrictRequestDecoding.class), 10, 5);

  private StrictRequestDecoding() {}

  /**
   * The service with every protobuf request decoded, and every status its handlers close with
   * bounded, as described above.
   */
  public static ServerServiceDefinition of(ServerServiceDefinition service) {
    ServiceDescriptor original = service.getServiceDescriptor();
    // Same name and schema, so reflection still describes the service.
    ServiceDescriptor.Builder descriptor =
        ServiceDescriptor.newBuilder(original.getName())
            .setSchemaDescriptor(original.getSchemaDescriptor());
    List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
    for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
      ServerMethodDefinition<?, ?> strict = strictMethod(method);
      descriptor.addMethod(strict.getMethodDescriptor());
      methods.add(strict);
    }
    ServerServiceDefinition.Builder strict = ServerServiceDefinition.builder(descriptor.build());
    methods.forEach(strict::addMethod);
    return strict.build();
  }

  private static <ReqT, RespT> ServerMethodDefinition<?, RespT> strictMethod(
      ServerMethodDefinition<ReqT, RespT> method) {
    MethodDescriptor<ReqT, RespT> descriptor = method.getMethodDescriptor();
    if (!(descriptor.getRequestMarshaller() instanceof PrototypeMarshaller<ReqT> prototypes)
        || !(prototypes.getMessagePrototype() instanceof Message)) {
      return method;
    }
    MethodDescriptor<Object, RespT> strictDescriptor =
        descriptor.toBuilder(new StrictMarshaller<>(prototypes), descriptor.getResponseMarshaller())
            .build();
    return ServerMethodDefinition.create(
        strictDescriptor, new DecodingCallHandler<>(descriptor, method.getServerCallHandler()));
  }

  /**
   * Why {@code bytes} are not a valid {@code type} message, or empty if they are one: the first
   * string field that is not valid UTF-8, or a wire format that does not parse at all.
   */
  static Optional<String> problemWith(byte[] bytes, Descriptor type) {
    try {
      return problemWith(CodedInputStream.newInstance(bytes), type, "");
    } catch (InvalidProtocolBufferException e) {
      return Optional.of(notAMessage(type));
    } catch (IOException e) {
      return Optional.of(notAMessage(type));
    }
  }

  private static Optional<String> problemWith(CodedInputStream in, Descriptor type, String prefix)
      throws IOException {
    while (true) {
      int tag = in.readTag();
      if (tag == 0) {
        return Optional.empty();
      }
      FieldDescriptor field = type.findFieldByNumber(WireFormat.getTagFieldNumber(tag));
      boolean delimited =
          WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED;
      if (field != null && delimited && field.getType() == FieldDescriptor.Type.STRING) {
        ByteString value = in.readBytes();
        if (!value.isValidUtf8()) {
          return Optional.of(
              "Field " + prefix + field.getName() + " is not valid UTF-8 text");
        }
      } else if (field != null && delimited && field.getType() == FieldDescriptor.Type.MESSAGE) {
        int length = in.readRawVarint32();
        int limit = in.pushLimit(length);
        Optional<String> nested =
            problemWith(in, field.getMessageType(), prefix + field.getName() + ".");
        if (nested.isPresent()) {
          return nested;
        }
        in.checkLastTagWas(0);
        in.popLimit(limit);
      } else if (!in.skipField(tag)) {
        return Optional.empty();
      }
    }
  }

  private static String notAMessage(Descriptor type) {
    return "The request is not a valid " + type.getFullName() + " message";
  }

  /**
   * Whether protobuf's parser rejects every string field of {@code type} (nested messages
   * included) that is not valid UTF-8, so that a message that parses needs no walk.
   */
  static boolean parserChecksUtf8(Descriptor type) {
    return parserChecksUtf8(type, new HashSet<>());
  }

  private static boolean parserChecksUtf8(Descriptor type, Set<String> seen) {
    if (!seen.add(type.getFullName())) {
      return true; // a recursive type: checked where it was first met
    }
    for (FieldDescriptor field : type.getFields()) {
      if (field.getType() == FieldDescriptor.Type.STRING && !field.needsUtf8Check()) {
        return false;
      }
      if (field.getType() == FieldDescriptor.Type.MESSAGE
          && !parserChecksUtf8(field.getMessageType(), seen)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The request's bytes. gRPC hands over a stream that knows its length, so the array is made to
   * size at once: {@code readAllBytes} would allocate and clear an 8 KiB buffer per request.
   */
  static byte[] readAll(InputStream stream) throws IOException {
    if (stream instanceof KnownLength) {
      int size = stream.available();
      byte[] bytes = new byte[size];
      int read = stream.readNBytes(bytes, 0, size);
      if (read < size) {
        return Arrays.copyOf(bytes, read);
      }
      int next = stream.read();
      if (next < 0) {
        return bytes;
      }
      // Longer than it said: take the rest too.
      byte[] rest = stream.readAllBytes();
      byte[] all = Arrays.copyOf(bytes, size + 1 + rest.length);
      all[size] = (byte) next;
      System.arraycopy(rest, 0, all, size + 1, rest.length);
      return all;
    }
    return stream.readAllBytes();
  }

  /**
   * Reads a request into its message, or into a {@link RejectedRequest} saying why it is not one;
   * never throws. A good request is handed on as the message itself, with nothing around it.
   */
  private static final class StrictMarshaller<T> implements Marshaller<Object> {
    private final PrototypeMarshaller<T> messages;
    private final Descriptor type;
    private final Parser<?> parser;
    private final boolean parseFirst;

    StrictMarshaller(PrototypeMarshaller<T> messages) {
      this.messages = messages;
      Message prototype = (Message) messages.getMessagePrototype();
      this.type = prototype.getDescriptorForType();
      this.parser = prototype.getParserForType();
      this.parseFirst = parserChecksUtf8(type);
    }

    @Override
    @SuppressWarnings("unchecked")
    public InputStream stream(Object value) {
      return messages.stream((T) value); // only a request this marshaller parsed
    }

    @Override
    public Object parse(InputStream stream) {
      byte[] bytes;
      try {
        bytes = readAll(stream);
      } catch (IOException e) {
        return new RejectedRequest(Status.INVALID_ARGUMENT.withDescription(notAMessage(type)));
      }
      if (!parseFirst) {
        Optional<String> problem = problemWith(bytes, type);
        if (problem.isPresent()) {
          return new RejectedRequest(Status.INVALID_ARGUMENT.withDescription(problem.get()));
        }
      }
      try {
        return parser.parseFrom(bytes);
      } catch (InvalidProtocolBufferException e) {
        // After a failed parse, the walk names the field if a string is what broke it.
        String problem =
            parseFirst ? problemWith(bytes, type).orElse(notAMessage(type)) : notAMessage(type);
        return new RejectedRequest(Status.INVALID_ARGUMENT.withDescription(problem));
      }
    }
  }

  /**
   * Hands the original handler its own messages, and answers rejected ones itself. The handler
   * sees a {@link DecodedServerCall}, which also bounds every status it closes with (see {@link
   * BoundedStatusDescriptions}): two small objects per call in all, where an interceptor for the
   * bounding would add two more.
   */
  private static final class DecodingCallHandler<ReqT, RespT>
      implements io.grpc.ServerCallHandler<Object, RespT> {
    private final MethodDescriptor<ReqT, RespT> original;
    private final io.grpc.ServerCallHandler<ReqT, RespT> handler;

    DecodingCallHandler(
        MethodDescriptor<ReqT, RespT> original, io.grpc.ServerCallHandler<ReqT, RespT> handler) {
      this.original = original;
      this.handler = handler;
    }

    @Override
    public io.grpc.ServerCall.Listener<Object> startCall(
        io.grpc.ServerCall<Object, RespT> call, io.grpc.Metadata headers) {
      DecodedServerCall<ReqT, RespT> decoded = new DecodedServerCall<>(call, original);
      return new DecodingListener<>(decoded, handler.startCall(decoded, headers));
    }
  }

  private static final class DecodingListener<ReqT, RespT>
      extends io.grpc.ServerCall.Listener<Object> {
    private final DecodedServerCall<ReqT, RespT> call;
    private final io.grpc.ServerCall.Listener<ReqT> inner;
    private boolean rejected;

    DecodingListener(
        DecodedServerCall<ReqT, RespT> call, io.grpc.ServerCall.Listener<ReqT> inner) {
      this.call = call;
      this.inner = inner;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void onMessage(Object request) {
      if (rejected) {
        return;
      }
      if (request instanceof RejectedRequest rejection) {
        rejected = true;
        log.info(
            "Rejected a {} request: {}",
            call.getMethodDescriptor().getBareMethodName(),
            rejection.status().getDescription());
        call.close(rejection.status(), new io.grpc.Metadata());
        return;
      }
      inner.onMessage((ReqT) request); // the marshaller parses nothing else
    }

    @Override
    public void onHalfClose() {
      if (!rejected) {
        inner.onHalfClose();
      }
    }

    @Override
    public void onCancel() {
      inner.onCancel();
    }

    @Override
    public void onComplete() {
      inner.onComplete();
    }

    @Override
    public void onReady() {
      if (!rejected) {
        inner.onReady();
      }
    }
  }
}

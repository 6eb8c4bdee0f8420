package org.connectionregistry.adapter.grpc.security;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Objects;
import org.connectionregistry.proto.ClientStatusRequest;
import org.connectionregistry.proto.ConnectRequest;
import org.connectionregistry.proto.CountClientsRequest;
import org.connectionregistry.proto.ListClientsRequest;
import org.connectionregistry.proto.WatchRequest;
import org.connectionregistry.proto.MessageRequest;
import org.slf4j.LoggerFactory;

/**
 * Decides, request by request, whether the {@link Caller} may do what it asks: change a client's
 * status only if its identity owns that client ID; read as {@link ReadAccess} allows. A refusal
 * is {@code PERMISSION_DENIED} saying who asked, for what, and what would be allowed. Runs on the
 * decoded request, after {@link Authentication}.
 */
public final class Authorization implements ServerInterceptor {

  private static final RateLimitedLog log =
      new RateLimitedLog(LoggerFactory.getLogger(Authorization.class), 10, 5);

  private final ReadAccess reads;

  public Authorization(ReadAccess reads) {
    this.reads = Objects.requireNonNull(reads, "reads");
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    Caller caller = Caller.CURRENT.get();
    ServerCall.Listener<ReqT> inner = next.startCall(call, headers);
    return new ServerCall.Listener<>() {
      private boolean refused;

      @Override
      public void onMessage(ReqT request) {
        if (refused) {
          return;
        }
        String refusal = refusal(caller, request);
        if (refusal != null) {
          refused = true;
          log.info("Denied {}", refusal);
          call.close(Status.PERMISSION_DENIED.withDescription(refusal), new Metadata());
          return;
        }
        inner.onMessage(request);
      }

      @Override
      public void onHalfClose() {
        if (!refused) {
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
        if (!refused) {
          inner.onReady();
        }
      }
    };
  }

  /** Why {@code caller} may not make {@code request}, or null if it may. */
  String refusal(Caller caller, Object request) {
    // A live session (Connect) changes its client's status as Hello and Goodbye do.
    String changed =
        request instanceof MessageRequest message
            ? message.getClientId()
            : request instanceof ConnectRequest connect ? connect.getClientId() : null;
    if (changed != null) {
      String clientId = changed;
      if (caller == null || caller.owns(clientId)) {
        return null; // without authentication, anyone may change any client, as before
      }
      return caller.name() + " may not change client " + clientId + ": " + owned(caller)
          + "; ask for a token that grants this client ID";
    }
    String clientId;
    if (request instanceof ClientStatusRequest status) {
      clientId = status.getClientId();
    } else if (request instanceof ListClientsRequest
        || request instanceof WatchRequest
        || request instanceof CountClientsRequest) {
      // Watching and counting read every client, as a listing does.
      clientId = "";
    } else {
      return null;
    }
    return readRefusal(caller, clientId);
  }

  private String readRefusal(Caller caller, String clientId) {
    boolean all = clientId.isEmpty();
    String what = all ? "list every client" : "read the status of client " + clientId;
    switch (reads) {
      case ANYONE:
        return null;
      case AUTHENTICATED:
        return caller != null ? null : "Authenticate to " + what;
      case OWNER:
        if (caller != null && (caller.admin() || (!all && caller.owns(clientId)))) {
          return null;
        }
        return (caller == null ? "Callers who did not authenticate" : caller.name())
            + " may not " + what + ": "
            + (all ? "only admins may" : caller == null ? "authenticate first" : owned(caller));
      case ADMIN:
        if (caller != null && caller.admin()) {
          return null;
        }
        return (caller == null ? "Callers who did not authenticate" : caller.name())
            + " may not " + what + ": only admins may read statuses on this server";
      default:
        throw new IllegalStateException("unknown read access " + reads);
    }
  }

  private static String owned(Caller caller) {
    return caller.ownedPatterns().isEmpty()
        ? "it may change only client " + caller.name()
        : "it may change only client " + caller.name() + " and IDs matching "
            + String.join(", ", caller.ownedPatterns());
  }
}

package org.connectionregistry.adapter.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.connectionregistry.application.port.in.RemoteCallFailedException;
import org.connectionregistry.application.port.in.SendMessageCommand;
import org.connectionregistry.application.port.in.WatcherTooSlowException;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.ClientNotFoundException;
import org.connectionregistry.domain.InvalidInputException;
import org.connectionregistry.domain.InvalidMessageException;
import org.connectionregistry.domain.RegistryFullException;
import org.connectionregistry.domain.RegistryUnavailableException;
import org.connectionregistry.domain.RevisionCompactedException;

/**
 * Domain errors and gRPC statuses, in both directions, so that neither side can change without
 * the other: the server answers an exception with {@link #toStatus}, and the client turns that
 * status back into the error the server started from.
 *
 * <table>
 *   <caption>The mapping</caption>
 *   <tr><th>server throws</th><th>status</th><th>client throws</th></tr>
 *   <tr><td>{@link InvalidMessageException}</td><td>{@code INVALID_ARGUMENT}</td>
 *       <td>the same, for the message that was sent</td></tr>
 *   <tr><td>other {@link InvalidInputException}</td><td>{@code INVALID_ARGUMENT}</td>
 *       <td>{@link InvalidInputException}, same description</td></tr>
 *   <tr><td>{@link ClientNotFoundException}</td><td>{@code NOT_FOUND}</td>
 *       <td>the same, for the client asked about</td></tr>
 *   <tr><td>{@link RegistryFullException}</td><td>{@code RESOURCE_EXHAUSTED}</td>
 *       <td>{@link RemoteCallFailedException}, naming the code and the description</td></tr>
 *   <tr><td>{@link RegistryUnavailableException}</td><td>{@code UNAVAILABLE}</td>
 *       <td>the same, {@code Server <target> is unavailable (<description>)}</td></tr>
 *   <tr><td>{@link RevisionCompactedException}</td><td>{@code OUT_OF_RANGE}, its message (names
 *       the oldest revision a watch can start after)</td><td>the same, on a watch</td></tr>
 *   <tr><td>{@link WatcherTooSlowException}</td><td>{@code RESOURCE_EXHAUSTED}, its message
 *       (names the revision to resume after)</td><td>the same, on a watch</td></tr>
 *   <tr><td>anything else</td><td>{@code INTERNAL}, {@value #INTERNAL_ERROR_DESCRIPTION}</td>
 *       <td>{@link RemoteCallFailedException}</td></tr>
 * </table>
 *
 * <p>Failures of the call itself are not domain errors: an unreachable server, no answer within
 * the deadline, or a code no domain error maps to become a {@link RemoteCallFailedException}. An
 * {@code UNAVAILABLE} raised by this side's transport carries the cause it met (a refused
 * connection, an unknown host); one sent by the server carries none, which is how the two are
 * told apart. Either way the words are the same: {@code Server <target> is unavailable (why)}.
 */
public final class StatusMapping {

  /** What a caller learns of a failure we did not foresee; the details stay in our log. */
  public static final String INTERNAL_ERROR_DESCRIPTION = "Internal server error";

  /**
   * Longest description we send. A status description travels in a header, and a peer drops a
   * response whose headers are too large (8 KiB by default), so an echoed huge message is cut.
   */
  public static final int MAX_DESCRIPTION_LENGTH = 1024;

  private final String target;
  private final Duration deadline;

  /**
   * The client's side of the mapping.
   *
   * @param target how to name the server in messages, e.g. {@code localhost:50051}
   * @param deadline how long a call may take, for the message that says it took longer
   */
  public StatusMapping(String target, Duration deadline) {
    this.target = Objects.requireNonNull(target, "target");
    this.deadline = Objects.requireNonNull(deadline, "deadline");
  }

  // ---- Server: domain error to status ----

  /** The status a server answers an exception with; see the table above. */
  public static Status toStatus(Exception e) {
    if (e instanceof InvalidInputException) {
      return Status.INVALID_ARGUMENT.withDescription(bounded(e.getMessage()));
    }
    if (e instanceof ClientNotFoundException) {
      return Status.NOT_FOUND.withDescription(e.getMessage());
    }
    if (e instanceof RegistryFullException) {
      return Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage());
    }
    if (e instanceof RegistryUnavailableException) {
      return Status.UNAVAILABLE.withDescription(bounded(e.getMessage()));
    }
    if (e instanceof RevisionCompactedException) {
      return Status.OUT_OF_RANGE.withDescription(e.getMessage());
    }
    if (e instanceof WatcherTooSlowException) {
      return Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage());
    }
    return Status.INTERNAL.withDescription(INTERNAL_ERROR_DESCRIPTION);
  }

  /** The text cut to {@link #MAX_DESCRIPTION_LENGTH}, saying how much was cut. */
  public static String bounded(String text) {
    if (text == null || text.length() <= MAX_DESCRIPTION_LENGTH) {
      return text;
    }
    int cut = MAX_DESCRIPTION_LENGTH;
    if (Character.isHighSurrogate(text.charAt(cut - 1))) {
      cut--;
    }
    return text.substring(0, cut) + "... (" + (text.length() - cut) + " more characters)";
  }

  // ---- Client: status back to domain error ----

  /** What a failed SendMessage call for {@code command} means. */
  public RuntimeException sendMessageFailed(StatusRuntimeException e, SendMessageCommand command) {
    if (e.getStatus().getCode() == Status.Code.INVALID_ARGUMENT) {
      InvalidMessageException rejected = new InvalidMessageException(command.message());
      if (rejected.getMessage().equals(e.getStatus().getDescription())) {
        return rejected;
      }
    }
    return failed(e);
  }

  /** What a failed GetClientStatus call for {@code clientId} means. */
  public RuntimeException getClientStatusFailed(StatusRuntimeException e, ClientId clientId) {
    if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
      String description = e.getStatus().getDescription();
      return description != null
          ? new ClientNotFoundException(clientId, description)
          : new ClientNotFoundException(clientId);
    }
    return failed(e);
  }

  /**
   * What a failed call that lists clients means: nothing there names one client, so {@code
   * NOT_FOUND} is not a domain error.
   */
  public RuntimeException listingFailed(StatusRuntimeException e) {
    return failed(e);
  }

  /**
   * What a failed Watch call means: {@code OUT_OF_RANGE} is a {@link RevisionCompactedException}
   * (list again), {@code RESOURCE_EXHAUSTED} from a watcher cut off is a {@link
   * WatcherTooSlowException} (resume); anything else as for any call.
   */
  public RuntimeException watchFailed(StatusRuntimeException e) {
    Status status = e.getStatus();
    String description = status.getDescription() == null ? "" : status.getDescription();
    if (status.getCode() == Status.Code.OUT_OF_RANGE) {
      Matcher compacted = COMPACTED.matcher(description);
      if (compacted.find()) {
        return new RevisionCompactedException(
            Long.parseLong(compacted.group(1)), Long.parseLong(compacted.group(2)));
      }
    }
    if (status.getCode() == Status.Code.RESOURCE_EXHAUSTED) {
      Matcher tooSlow = TOO_SLOW.matcher(description);
      if (tooSlow.find()) {
        return new WatcherTooSlowException(
            Long.parseLong(tooSlow.group(2)), Long.parseLong(tooSlow.group(1)));
      }
    }
    return failed(e);
  }

  /** The numbers in {@link RevisionCompactedException}'s message. */
  private static final Pattern COMPACTED =
      Pattern.compile("^Revision (\\d+) is no longer kept: changes are kept after revision (\\d+)");

  /** The numbers in {@link WatcherTooSlowException}'s message. */
  private static final Pattern TOO_SLOW =
      Pattern.compile("^Watcher too slow: (\\d+) changes behind .* after revision (\\d+)\\.");

  /** The server gave no answer within the deadline. */
  public RemoteCallFailedException noAnswerInTime(Throwable cause) {
    return new RemoteCallFailedException(
        unavailableMessage("no answer within " + readable()), cause);
  }

  private RuntimeException failed(StatusRuntimeException e) {
    Status status = e.getStatus();
    switch (status.getCode()) {
      case INVALID_ARGUMENT:
        String description = status.getDescription();
        return new InvalidInputException(description != null ? description : "Invalid argument");
      case UNAVAILABLE:
        String message = unavailableMessage(unavailableReason(e));
        return e.getCause() == null
            ? new RegistryUnavailableException(message, e)
            : new RemoteCallFailedException(message, e);
      case DEADLINE_EXCEEDED:
        return noAnswerInTime(e);
      default:
        return unexpected(status, e);
    }
  }

  private String unavailableMessage(String reason) {
    return "Server " + target + " is unavailable (" + reason + ")";
  }

  private RemoteCallFailedException unexpected(Status status, Throwable cause) {
    String description = oneLine(status.getDescription());
    return new RemoteCallFailedException(
        "Server "
            + target
            + " failed the call: "
            + status.getCode()
            + (description.isEmpty() ? "" : " (" + description + ")"),
        cause);
  }

  /** Why the server cannot be reached, in words; the transport's own text is for developers. */
  private static String unavailableReason(StatusRuntimeException e) {
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      if (cause instanceof ConnectException) {
        return "connection refused";
      }
      if (cause instanceof UnknownHostException) {
        return "unknown host";
      }
    }
    String description = oneLine(e.getStatus().getDescription());
    if (description.isEmpty() || description.equalsIgnoreCase("io exception")) {
      return "connection failed";
    }
    return description;
  }

  private static String oneLine(String text) {
    if (text == null) {
      return "";
    }
    int lineBreak = text.indexOf('\n');
    return (lineBreak < 0 ? text : text.substring(0, lineBreak)).strip();
  }

  private String readable() {
    long millis = deadline.toMillis();
    if (millis >= 1000 && millis % 1000 == 0) {
      return deadline.toSeconds() + "s";
    }
    return Math.max(1, millis) + "ms";
  }
}

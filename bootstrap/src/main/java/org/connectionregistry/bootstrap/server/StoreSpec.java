package org.connectionregistry.bootstrap.server;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Objects;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Which {@link org.connectionregistry.domain.ConnectionRegistry} the server keeps its statuses
 * in, as written after {@code --store}: {@code memory}, {@code file:PATH},
 * {@code redis://HOST:PORT[/DB]} or {@code redis-cluster://HOST:PORT[,HOST:PORT...]}.
 */
public sealed interface StoreSpec {

  String USAGE =
      "memory, file:PATH, redis://HOST:PORT[/DB] or redis-cluster://HOST:PORT[,HOST:PORT...]";

  /**
   * What to do for each kind of store. Every kind has its method here and calls it from {@link
   * #match}, so a kind added to this sealed type without a method here, or a method without an
   * implementation in every visitor (such as {@link StoreModule}'s), fails the build: there is
   * no default branch to fall into.
   */
  interface Cases<R> {
    R memory(Memory memory);

    R file(File file);

    R redis(Redis redis);

    R redisCluster(RedisCluster cluster);
  }

  /** Calls the method of {@code cases} for this kind of store. */
  <R> R match(Cases<R> cases);

  /**
   * Whether the store lives outside this process's memory (on disk or on the network), so that it
   * can become unavailable while the server runs and its health is worth watching. (No call
   * blocks a thread on any store: the storage port is asynchronous.) Every kind but {@link
   * Memory} does, so that is the default: a kind added later has its health watched unless it
   * says otherwise, which costs a check a second where a forgotten override would hide an outage.
   */
  default boolean blocking() {
    return true;
  }

  /** In this process's memory, as in the original: fast, and gone on restart. */
  record Memory() implements StoreSpec {
    @Override
    public <R> R match(Cases<R> cases) {
      return cases.memory(this);
    }

    @Override
    public boolean blocking() {
      return false;
    }

    @Override
    public String toString() {
      return "memory";
    }
  }

  /** A durable store in one file on local disk. */
  record File(Path path) implements StoreSpec {
    public File {
      Objects.requireNonNull(path, "path");
    }

    @Override
    public <R> R match(Cases<R> cases) {
      return cases.file(this);
    }

    @Override
    public String toString() {
      return "file:" + path;
    }
  }

  /** State in Redis, shared by every server that names the same one. */
  record Redis(String uri) implements StoreSpec {
    public Redis {
      Objects.requireNonNull(uri, "uri");
    }

    @Override
    public <R> R match(Cases<R> cases) {
      return cases.redis(this);
    }

    @Override
    public String toString() {
      return uri;
    }
  }

  /** State in a Redis Cluster: the nodes named are where the server starts to look for it. */
  record RedisCluster(String uri) implements StoreSpec {
    public RedisCluster {
      Objects.requireNonNull(uri, "uri");
    }

    @Override
    public <R> R match(Cases<R> cases) {
      return cases.redisCluster(this);
    }

    @Override
    public String toString() {
      return uri;
    }
  }

  /** Reads a {@code --store} value; the Redis URI's own form is checked when connecting. */
  static StoreSpec parse(String value) {
    String spec = value.strip();
    if (spec.equals("memory")) {
      return new Memory();
    }
    if (spec.startsWith("file:") && spec.length() > "file:".length()) {
      try {
        return new File(Path.of(spec.substring("file:".length())));
      } catch (InvalidPathException e) {
        throw new IllegalArgumentException("'" + value + "' is not a usable path: " + e.getReason());
      }
    }
    if (spec.startsWith("redis://")) {
      return new Redis(spec);
    }
    if (spec.startsWith("redis-cluster://")) {
      return new RedisCluster(spec);
    }
    throw new IllegalArgumentException("'" + value + "' is not a store; use " + USAGE);
  }

  /** Lets picocli read {@code --store} and report a bad value as a usage error. */
  final class Converter implements ITypeConverter<StoreSpec> {
    @Override
    public StoreSpec convert(String value) {
      try {
        return parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}

package org.connectionregistry.adapter.store.file.archfixture;

import org.connectionregistry.adapter.store.redis.RedisConnectionRegistry;

/** Breaks the onion on purpose: one storage adapter that depends on the other. */
public final class FileStoreThatReadsRedis {
  RedisConnectionRegistry redis;
}

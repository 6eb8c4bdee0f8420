package org.connectionregistry.bootstrap.server;

import dagger.Module;
import dagger.Provides;
import javax.inject.Singleton;
import org.connectionregistry.adapter.store.file.FileSessionLedger;
import org.connectionregistry.adapter.store.redis.RedisSessionLedger;
import org.connectionregistry.application.port.out.SessionLedger;
import org.connectionregistry.application.port.out.Timer;
import org.connectionregistry.application.service.ConnectionService;
import org.connectionregistry.application.service.ScheduledTimer;
import org.connectionregistry.application.service.SessionService;
import org.connectionregistry.domain.ConnectionRegistry;

/**
 * Live sessions: the session service over the plain use cases, its expiry timer, and the ledger
 * that lets a restarted server, or the other servers on the same Redis, expire what a server that
 * died held. The in-memory store needs no ledger: it forgets everything on restart anyway.
 */
@Module
public final class SessionModule {

  private SessionModule() {}

  @Provides
  @Singleton
  static SessionLedger sessionLedger(ServerSettings settings, SessionSettings sessions) {
    return settings.store().match(ledgers(sessions));
  }

  /** The ledger of each kind of store. */
  static StoreSpec.Cases<SessionLedger> ledgers(SessionSettings sessions) {
    RedisSessionLedger.Timing timing =
        new RedisSessionLedger.Timing(
            sessions.serverHeartbeat(), sessions.serverTtl(), sessions.claimLease());
    return new StoreSpec.Cases<>() {
      @Override
      public SessionLedger memory(StoreSpec.Memory memory) {
        return SessionLedger.NONE;
      }

      @Override
      public SessionLedger file(StoreSpec.File file) {
        return FileSessionLedger.openBeside(file.path());
      }

      @Override
      public SessionLedger redis(StoreSpec.Redis redis) {
        return RedisSessionLedger.connect(redis.uri(), timing);
      }

      @Override
      public SessionLedger redisCluster(StoreSpec.RedisCluster cluster) {
        return RedisSessionLedger.connectCluster(cluster.uri(), timing);
      }
    };
  }

  @Provides
  @Singleton
  static Timer timer() {
    return new ScheduledTimer("session-expiry");
  }

  @Provides
  @Singleton
  static SessionService sessionService(
      ConnectionService plain,
      ConnectionRegistry registry,
      SessionLedger ledger,
      Timer timer,
      SessionSettings settings) {
    SessionService sessions = new SessionService(plain, registry, ledger, timer, settings.grace());
    sessions.inheritFromLedger();
    sessions.reapEvery(settings.serverHeartbeat());
    return sessions;
  }
}

package org.connectionregistry.bootstrap.server;

import dagger.Module;
import dagger.Provides;
import javax.inject.Singleton;
import org.connectionregistry.adapter.store.file.FileSessionLedger;
import org.connectionregistry.application.port.out.SessionLedger;
import org.connectionregistry.application.port.out.Timer;
import org.connectionregistry.application.service.ConnectionService;
import org.connectionregistry.application.service.ScheduledTimer;
import org.connectionregistry.application.service.SessionService;
import org.connectionregistry.domain.ConnectionRegistry;

/**
 * Live sessions: the session service over the plain use cases, its expiry timer, and the ledger
 * that lets a restarted server expire what its predecessor held. Only the file store keeps a
 * ledger: the in-memory store forgets everything on restart anyway, and Redis is shared by
 * servers that are not restarted as one (see the README on several servers).
 */
@Module
public final class SessionModule {

  private SessionModule() {}

  @Provides
  @Singleton
  static SessionLedger sessionLedger(ServerSettings settings) {
    return settings.store().match(LEDGERS);
  }

  /** The ledger of each kind of store. */
  static final StoreSpec.Cases<SessionLedger> LEDGERS =
      new StoreSpec.Cases<>() {
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
          return SessionLedger.NONE;
        }

        @Override
        public SessionLedger redisCluster(StoreSpec.RedisCluster cluster) {
          return SessionLedger.NONE;
        }
      };

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
    return sessions;
  }
}

package org.connectionregistry.bootstrap.server;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.connectionregistry.adapter.grpc.server.GrpcServer;
import org.connectionregistry.adapter.metrics.MetricsEndpoint;
import org.connectionregistry.adapter.web.LivePage;
import org.connectionregistry.bootstrap.cli.Launcher;
import org.connectionregistry.application.port.out.SessionLedger;
import org.connectionregistry.commandline.PositiveDurationConverter;
import org.connectionregistry.domain.ConnectionRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code java -jar connection-server.jar}: serves the registry until SIGTERM or Ctrl-C. */
@Command(
    name = "connection-server",
    mixinStandardHelpOptions = true,
    version = "connection-server 1.0",
    description = "Records which clients are connected and answers over gRPC.",
    sortOptions = false,
    usageHelpWidth = 120)
public final class ServerLauncher implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(ServerLauncher.class);

  @Spec CommandSpec spec;

  @Option(
      names = "--host",
      defaultValue = "${env:CONNECTION_REGISTRY_HOST:-0.0.0.0}",
      description = "Address to listen on (default: ${DEFAULT-VALUE}; env CONNECTION_REGISTRY_HOST).")
  String host;

  @Option(
      names = "--port",
      defaultValue = "${env:CONNECTION_REGISTRY_PORT:-50051}",
      description = "Port to listen on, 0 for any free one (default: ${DEFAULT-VALUE}; env CONNECTION_REGISTRY_PORT).")
  int port;

  @Option(
      names = "--store",
      defaultValue = "${env:CONNECTION_REGISTRY_STORE:-memory}",
      converter = StoreSpec.Converter.class,
      description = "Where statuses are kept: " + StoreSpec.USAGE
          + " (default: ${DEFAULT-VALUE}; env CONNECTION_REGISTRY_STORE).")
  StoreSpec store;

  @Option(
      names = "--shutdown-grace",
      defaultValue = "${env:CONNECTION_REGISTRY_SHUTDOWN_GRACE:-5s}",
      converter = PositiveDurationConverter.class,
      description = "How long calls in flight may finish on shutdown (default: ${DEFAULT-VALUE}).")
  Duration shutdownGrace;

  @Mixin SecurityOptions securityOptions;

  @Mixin WebOptions web;

  @Mixin ObservabilityOptions observability;

  @Mixin SessionOptions sessions;

  @Mixin WatchOptions watch;

  @Override
  public Integer call() throws InterruptedException {
    if (port < 0 || port > 65535) {
      throw new ParameterException(
          spec.commandLine(), "--port must be between 0 and 65535, got " + port);
    }
    ServerSecurity security = securityOptions.settings(spec);
    WebSettings webSettings;
    try {
      webSettings = web.settings(security);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    OutOfMemoryGuard.install();
    observability.applyLogFormat();
    MetricsSettings metricsSettings;
    try {
      metricsSettings = observability.metrics();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    ServerComponent component =
        DaggerServerComponent.factory()
            .create(
                new ServerSettings(host, port, store),
                security,
                metricsSettings,
                sessions.settings(),
                watch.settings());
    ConnectionRegistry registry;
    SessionLedger ledger;
    try {
      registry = component.registry();
      ledger = component.sessionLedger();
    } catch (RuntimeException e) {
      spec.commandLine()
          .getErr()
          .println("connection-server: " + Launcher.describeOnce(e));
      return 1;
    }
    GrpcServer server;
    try {
      server = component.server();
    } catch (RuntimeException e) {
      // TLS files or token keys that cannot be used: one line naming them.
      spec.commandLine().getErr().println("connection-server: " + Launcher.describeOnce(e));
      ledger.close();
      registry.close();
      return 1;
    }
    Optional<MetricsEndpoint> metrics;
    try {
      metrics = ObservabilityOptions.serve(component.metrics(), metricsSettings);
    } catch (IOException | RuntimeException e) {
      spec.commandLine()
          .getErr()
          .println("connection-server: cannot serve metrics on "
              + metricsSettings.address() + ": " + Launcher.describe(e));
      registry.close();
      return 1;
    }
    Optional<LivePage> page;
    try {
      page = component.livePage().serve(webSettings);
    } catch (IOException | RuntimeException e) {
      spec.commandLine()
          .getErr()
          .println("connection-server: cannot serve the live page on "
              + webSettings.address() + ": " + Launcher.describe(e));
      metrics.ifPresent(MetricsEndpoint::close);
      ledger.close();
      registry.close();
      return 1;
    }
    try {
      server.start();
    } catch (IOException | RuntimeException e) {
      spec.commandLine()
          .getErr()
          .println("connection-server: cannot listen on " + host + ":" + port + ": "
              + Launcher.describe(e));
      page.ifPresent(LivePage::close);
      metrics.ifPresent(MetricsEndpoint::close);
      ledger.close();
      registry.close();
      return 1;
    }
    StoreHealthMonitor health =
        store.blocking()
            ? StoreHealthMonitor.start(registry, server, store, Duration.ofSeconds(1))
            : null;
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.info("Shutting down: finishing calls in flight.");
                  if (health != null) {
                    health.close();
                  }
                  page.ifPresent(LivePage::close);
                  server.stop(shutdownGrace);
                  metrics.ifPresent(MetricsEndpoint::close);
                  ledger.close();
                  registry.close();
                  log.info("Server stopped.");
                },
                "shutdown"));
    log.info("Server is starting on port {}.", server.port());
    log.info("Statuses are kept in: {}.", store);
    SecurityOptions.warnings(host, server.port(), security).forEach(log::warn);
    metrics.ifPresent(
        endpoint -> log.info("Metrics are served on port {} at /metrics.", endpoint.port()));
    page.ifPresent(
        live -> {
          log.info("The live page is served on port {} at /.", live.port());
          component.metrics().ifPresent(m -> m.countWatchers("web", live::liveWatchers));
          WebOptions.warning(webSettings, live.port(), security).ifPresent(log::warn);
        });
    // gRPC Watch calls: every open watch but the page's own streams.
    component
        .metrics()
        .ifPresent(
            m ->
                m.countWatchers(
                    "grpc",
                    () ->
                        Math.max(
                            0,
                            component.watchService().openWatches()
                                - page.map(live -> live.liveWatchers()).orElse(0))));
    server.awaitTermination();
    return 0;
  }

  public static void main(String[] args) {
    NettyLeakDetection.offUnlessAsked(); // before anything loads Netty
    System.exit(Launcher.run(new ServerLauncher(), args));
  }
}

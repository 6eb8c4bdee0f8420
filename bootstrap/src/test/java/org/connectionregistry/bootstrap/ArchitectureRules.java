package org.connectionregistry.bootstrap;

import static com.tngtech.archunit.base.DescribedPredicate.alwaysTrue;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.onionArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.lang.ArchRule;
import java.util.List;

/**
 * The architecture's rules, in ArchUnit's own terms, over every module: the hexagon (domain,
 * application, one adapter per adapter module) as ArchUnit's onion architecture, and the rules
 * for what stands around it: bootstrap (the wiring), the benchmarks, the command-line syntax and
 * the test support. {@link ArchitectureTest} checks them on the production classes; {@link
 * ArchitectureRulesFailTest} shows each one failing on a class that breaks it.
 */
final class ArchitectureRules {

  static final String DOMAIN = "org.connectionregistry.domain..";
  static final String APPLICATION = "org.connectionregistry.application..";
  static final String GRPC_ADAPTER = "org.connectionregistry.adapter.grpc..";
  static final String GENERATED_PROTO = "org.connectionregistry.proto..";
  static final String CONSOLE_ADAPTER = "org.connectionregistry.adapter.console..";
  static final String FILE_STORE_ADAPTER = "org.connectionregistry.adapter.store.file..";
  static final String REDIS_STORE_ADAPTER = "org.connectionregistry.adapter.store.redis..";
  static final String METRICS_ADAPTER = "org.connectionregistry.adapter.metrics..";
  static final String WEB_ADAPTER = "org.connectionregistry.adapter.web..";
  static final String ADAPTERS = "org.connectionregistry.adapter..";
  static final String BOOTSTRAP = "org.connectionregistry.bootstrap..";
  static final String BENCHMARKS = "org.connectionregistry.benchmarks..";
  static final String COMMAND_LINE = "org.connectionregistry.commandline..";
  static final String TEST_SUPPORT = "org.connectionregistry.testsupport..";

  /** Every package above that must hold production classes, so no rule checks an empty one. */
  static final List<String> EVERY_MODULE =
      List.of(
          DOMAIN, APPLICATION, GENERATED_PROTO, GRPC_ADAPTER, CONSOLE_ADAPTER, FILE_STORE_ADAPTER,
          REDIS_STORE_ADAPTER, METRICS_ADAPTER, WEB_ADAPTER, BOOTSTRAP, BENCHMARKS, COMMAND_LINE, TEST_SUPPORT);

  private ArchitectureRules() {}

  /**
   * The hexagon: the domain at the centre depends on nothing outside it, the application only on
   * the domain, and each adapter module is its own adapter, so no adapter depends on another (the
   * two stores included; the generated protobuf types belong to the gRPC adapter). There are no
   * domain services apart from the domain model, hence optional layers; {@link
   * ArchitectureTest} checks separately that every layer holds classes. Bootstrap wires
   * everything and the benchmarks measure everything, so what they depend on is left to their
   * own rules below.
   */
  static final ArchRule THE_HEXAGON =
      onionArchitecture()
          .domainModels(DOMAIN)
          .applicationServices(APPLICATION)
          .adapter("grpc", GRPC_ADAPTER, GENERATED_PROTO)
          .adapter("console", CONSOLE_ADAPTER)
          .adapter("store.file", FILE_STORE_ADAPTER)
          .adapter("store.redis", REDIS_STORE_ADAPTER)
          .adapter("metrics", METRICS_ADAPTER)
          .adapter("web", WEB_ADAPTER)
          .withOptionalLayers(true)
          .ignoreDependency(resideInAnyPackage(BOOTSTRAP, BENCHMARKS), alwaysTrue())
          .because("the hexagon's dependencies point inwards and adapters do not know each other");

  static final ArchRule THE_DOMAIN_DEPENDS_ON_NOTHING_BUT_ITSELF_AND_THE_JDK =
      classes()
          .that()
          .resideInAPackage(DOMAIN)
          .should()
          .onlyDependOnClassesThat()
          .resideInAnyPackage(DOMAIN, "java..");

  static final ArchRule THE_APPLICATION_DEPENDS_ON_NOTHING_BUT_THE_DOMAIN_AND_THE_JDK =
      classes()
          .that()
          .resideInAPackage(APPLICATION)
          .should()
          .onlyDependOnClassesThat()
          .resideInAnyPackage(APPLICATION, DOMAIN, "java..");

  static final ArchRule THE_APPLICATION_KNOWS_NO_ADAPTER_TRANSPORT_OR_FRAMEWORK =
      noClasses()
          .that()
          .resideInAPackage(APPLICATION)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              ADAPTERS,
              BOOTSTRAP,
              GENERATED_PROTO,
              "io.grpc..",
              "com.google.protobuf..",
              "dagger..",
              "javax.inject..",
              "jakarta.inject..");

  /** The benchmarks may use the generated stubs: they drive the server over the wire. */
  static final ArchRule GENERATED_PROTOBUF_TYPES_STAY_INSIDE_THE_GRPC_ADAPTER =
      noClasses()
          .that()
          .resideOutsideOfPackages(GENERATED_PROTO, GRPC_ADAPTER, BENCHMARKS)
          .should()
          .dependOnClassesThat()
          .resideInAPackage(GENERATED_PROTO);

  static final ArchRule ONLY_BOOTSTRAP_USES_DAGGER =
      noClasses()
          .that()
          .resideOutsideOfPackage(BOOTSTRAP)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("dagger..", "javax.inject..", "jakarta.inject..");

  static final ArchRule NOTHING_BUT_BOOTSTRAP_DEPENDS_ON_BOOTSTRAP =
      noClasses()
          .that()
          .resideOutsideOfPackage(BOOTSTRAP)
          .should()
          .dependOnClassesThat()
          .resideInAPackage(BOOTSTRAP);

  /**
   * Ports are what adapters see of the application: interfaces and values. An adapter that holds
   * a session (the gRPC endpoint, the console's present mode) reaches it through {@code
   * HoldSessionUseCase}, never through the service behind it, so the service can change without
   * reaching into any adapter; and no port knows a service.
   */
  static final ArchRule ADAPTERS_AND_PORTS_KNOW_NO_APPLICATION_SERVICE =
      noClasses()
          .that()
          .resideInAnyPackage("org.connectionregistry.application.port..", ADAPTERS)
          .should()
          .dependOnClassesThat()
          .resideInAPackage("org.connectionregistry.application.service..");

  static final ArchRule PACKAGES_FORM_NO_CYCLES =
      slices().matching("org.connectionregistry.(**)").should().beFreeOfCycles();

  /**
   * The benchmarks measure the system as its users meet it: the server is the packaged jar run
   * as a process, and the clients are the wire (generated stubs), our gRPC client and the console
   * menu; the domain is measured in JMH directly. So they may use the domain, the application's
   * ports, the gRPC and console adapters, but never assemble a server of their own from
   * bootstrap's wiring or a store adapter.
   */
  static final ArchRule THE_BENCHMARKS_RUN_THE_PACKAGED_SERVER_AND_NEVER_WIRE_ONE =
      noClasses()
          .that()
          .resideInAPackage(BENCHMARKS)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(BOOTSTRAP, FILE_STORE_ADAPTER, REDIS_STORE_ADAPTER);

  static final ArchRule NOTHING_DEPENDS_ON_THE_BENCHMARKS =
      noClasses()
          .that()
          .resideOutsideOfPackage(BENCHMARKS)
          .should()
          .dependOnClassesThat()
          .resideInAPackage(BENCHMARKS);

  /** The syntax every command line shares knows nothing of the registry. */
  static final ArchRule THE_COMMAND_LINE_SYNTAX_KNOWS_NOTHING_OF_THE_REGISTRY =
      classes()
          .that()
          .resideInAPackage(COMMAND_LINE)
          .should()
          .onlyDependOnClassesThat()
          .resideInAnyPackage(COMMAND_LINE, "java..", "picocli..");

  /** The test support serves the tests and the benchmarks; production code never uses it. */
  static final ArchRule NO_PRODUCTION_CODE_USES_THE_TEST_SUPPORT =
      noClasses()
          .that()
          .resideOutsideOfPackages(TEST_SUPPORT, BENCHMARKS)
          .should()
          .dependOnClassesThat()
          .resideInAPackage(TEST_SUPPORT);

  static final ArchRule THE_TEST_SUPPORT_KNOWS_NOTHING_OF_THE_REGISTRY =
      classes()
          .that()
          .resideInAPackage(TEST_SUPPORT)
          .should()
          .onlyDependOnClassesThat()
          .resideInAnyPackage(TEST_SUPPORT, COMMAND_LINE, "java..");

  /**
   * Micrometer and the Prometheus client belong to the metrics adapter: bootstrap wires its
   * ServerMetrics, and nothing else measures or exposes anything with them directly.
   */
  static final ArchRule METRICS_LIBRARIES_STAY_INSIDE_THE_METRICS_ADAPTER =
      noClasses()
          .that()
          .resideOutsideOfPackages(METRICS_ADAPTER, BENCHMARKS)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.micrometer..", "io.prometheus..");

  /**
   * The JDK's HTTP server belongs to the web adapter (the Prometheus client, in the metrics
   * adapter, runs its own copy): the page's transport stays out of every other layer.
   */
  static final ArchRule THE_HTTP_SERVER_STAYS_INSIDE_THE_WEB_ADAPTER =
      noClasses()
          .that()
          .resideOutsideOfPackages(WEB_ADAPTER)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("com.sun.net.httpserver..");
}

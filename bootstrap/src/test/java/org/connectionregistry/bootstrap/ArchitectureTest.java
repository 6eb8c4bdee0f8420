package org.connectionregistry.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.connectionregistry.bootstrap.ArchitectureRules.EVERY_MODULE;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.qameta.allure.Allure;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The rules of {@link ArchitectureRules}, checked over every production class of every module,
 * the benchmarks included. Lives in bootstrap because it is the one module that sees them all
 * (the benchmarks are a test-only dependency of bootstrap for this reason). Maven's module graph
 * already makes most violations fail to compile; these rules say the intent out loud and catch
 * what the module graph cannot (a package in the wrong module, a leak through a transitive
 * dependency).
 *
 * <p>Each rule is checked by a plain JUnit test rather than an ArchUnit test field, so the test
 * report can group it by feature and story and show the rule's own words as its step.
 */
@Feature("Architecture")
@DisplayName("Architecture: the hexagon's dependency rule, over every module")
class ArchitectureTest {

  private static JavaClasses productionClasses;

  @BeforeAll
  static void importProductionClasses() {
    productionClasses =
        new ClassFileImporter()
            .withImportOption(new ImportOption.DoNotIncludeTests())
            // Test jars (the Redis adapter's harness) too: DoNotIncludeTests only knows folders.
            .withImportOption(location -> !location.contains("-tests.jar"))
            .importPackages("org.connectionregistry");
  }

  @Test
  @Story("Adapters do not depend on each other")
  @DisplayName("the hexagon holds: dependencies point inwards, and no adapter depends on another")
  void theHexagonHolds() {
    check(ArchitectureRules.THE_HEXAGON);
  }

  @Test
  @Story("Every rule can fail")
  @DisplayName("every module the rules name holds production classes, so no rule checks nothing")
  void everyModuleTheRulesNameHoldsClasses() {
    Allure.step(
        "every package the rules name holds classes: " + EVERY_MODULE,
        () -> assertThat(modulesWithoutClasses(productionClasses)).isEmpty());
  }

  /** The packages of {@link ArchitectureRules#EVERY_MODULE} that hold none of {@code classes}. */
  static java.util.List<String> modulesWithoutClasses(JavaClasses classes) {
    return EVERY_MODULE.stream()
        .filter(
            module ->
                classes.stream()
                    .noneMatch(
                        javaClass ->
                            com.tngtech.archunit.core.domain.PackageMatcher.of(module)
                                .matches(javaClass.getPackageName())))
        .toList();
  }

  @Test
  @Story("Dependencies point inwards")
  @DisplayName("the domain depends on nothing but itself and the JDK")
  void theDomainDependsOnNothingButItselfAndTheJdk() {
    check(ArchitectureRules.THE_DOMAIN_DEPENDS_ON_NOTHING_BUT_ITSELF_AND_THE_JDK);
  }

  @Test
  @Story("Dependencies point inwards")
  @DisplayName("the application depends on nothing but the domain and the JDK")
  void theApplicationDependsOnNothingButTheDomainAndTheJdk() {
    check(ArchitectureRules.THE_APPLICATION_DEPENDS_ON_NOTHING_BUT_THE_DOMAIN_AND_THE_JDK);
  }

  @Test
  @Story("Dependencies point inwards")
  @DisplayName("the application knows no adapter, transport or framework")
  void theApplicationKnowsNoAdapterTransportOrFramework() {
    check(ArchitectureRules.THE_APPLICATION_KNOWS_NO_ADAPTER_TRANSPORT_OR_FRAMEWORK);
  }

  @Test
  @Story("Protobuf stays in adapter-grpc")
  @DisplayName("generated protobuf types stay inside the gRPC adapter (and the benchmarks that drive the wire)")
  void generatedProtobufTypesStayInsideTheGrpcAdapter() {
    check(ArchitectureRules.GENERATED_PROTOBUF_TYPES_STAY_INSIDE_THE_GRPC_ADAPTER);
  }

  @Test
  @Story("Dependencies point inwards")
  @DisplayName("only bootstrap uses Dagger")
  void onlyBootstrapUsesDagger() {
    check(ArchitectureRules.ONLY_BOOTSTRAP_USES_DAGGER);
  }

  @Test
  @Story("Dependencies point inwards")
  @DisplayName("nothing but bootstrap depends on bootstrap")
  void nothingButBootstrapDependsOnBootstrap() {
    check(ArchitectureRules.NOTHING_BUT_BOOTSTRAP_DEPENDS_ON_BOOTSTRAP);
  }

  @Test
  @Story("Dependencies point inwards")
  @DisplayName("adapters reach the application only through its ports, and no port knows a service")
  void adaptersAndPortsKnowNoApplicationService() {
    check(ArchitectureRules.ADAPTERS_AND_PORTS_KNOW_NO_APPLICATION_SERVICE);
  }

  @Test
  @Story("Dependencies point inwards")
  @DisplayName("packages form no cycles")
  void packagesFormNoCycles() {
    check(ArchitectureRules.PACKAGES_FORM_NO_CYCLES);
  }

  @Test
  @Story("Benchmarks measure from outside")
  @DisplayName("the benchmarks run the packaged server and never wire one from bootstrap or a store")
  void theBenchmarksRunThePackagedServer() {
    check(ArchitectureRules.THE_BENCHMARKS_RUN_THE_PACKAGED_SERVER_AND_NEVER_WIRE_ONE);
  }

  @Test
  @Story("Benchmarks measure from outside")
  @DisplayName("nothing depends on the benchmarks")
  void nothingDependsOnTheBenchmarks() {
    check(ArchitectureRules.NOTHING_DEPENDS_ON_THE_BENCHMARKS);
  }

  @Test
  @Story("Shared command line and test support")
  @DisplayName("the command-line syntax knows nothing of the registry")
  void theCommandLineSyntaxKnowsNothingOfTheRegistry() {
    check(ArchitectureRules.THE_COMMAND_LINE_SYNTAX_KNOWS_NOTHING_OF_THE_REGISTRY);
  }

  @Test
  @Story("Shared command line and test support")
  @DisplayName("no production code uses the test support")
  void noProductionCodeUsesTheTestSupport() {
    check(ArchitectureRules.NO_PRODUCTION_CODE_USES_THE_TEST_SUPPORT);
  }

  @Test
  @Story("Shared command line and test support")
  @DisplayName("the test support knows nothing of the registry")
  void theTestSupportKnowsNothingOfTheRegistry() {
    check(ArchitectureRules.THE_TEST_SUPPORT_KNOWS_NOTHING_OF_THE_REGISTRY);
  }

  @Test
  @Story("Metrics stay in adapter-metrics")
  @DisplayName("Micrometer and the Prometheus client stay inside the metrics adapter")
  void metricsLibrariesStayInsideTheMetricsAdapter() {
    check(ArchitectureRules.METRICS_LIBRARIES_STAY_INSIDE_THE_METRICS_ADAPTER);
  }

  @Test
  @Story("The live page stays in adapter-web")
  @DisplayName("the JDK's HTTP server is used by the web adapter only")
  void theHttpServerStaysInsideTheWebAdapter() {
    check(ArchitectureRules.THE_HTTP_SERVER_STAYS_INSIDE_THE_WEB_ADAPTER);
  }

  /** Checks a rule as one report step that reads the rule's own words. */
  private static void check(ArchRule rule) {
    Allure.step("ArchUnit rule: " + rule.getDescription(), () -> rule.check(productionClasses));
  }
}

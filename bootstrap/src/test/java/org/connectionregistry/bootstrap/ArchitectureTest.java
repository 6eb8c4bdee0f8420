package org.connectionregistry.bootstrap;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

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
 * The dependency rule of the hexagon, checked over every production class of every module.
 * Lives in bootstrap because it is the one module that sees them all. Maven's module graph
 * already makes most violations fail to compile; these rules say the intent out loud and catch
 * what the module graph cannot (a package in the wrong module, a leak through a transitive
 * dependency).
 *
 * <p>Each rule is checked by a plain JUnit test rather than an ArchUnit test field, so the test
 * report can group it by feature and story and show the rule's own words as its step.
 */
@Feature("Architecture")
@DisplayName("Architecture: the hexagon's dependency rule")
class ArchitectureTest {

  private static final String DOMAIN = "org.connectionregistry.domain..";
  private static final String APPLICATION = "org.connectionregistry.application..";
  private static final String ADAPTERS = "org.connectionregistry.adapter..";
  private static final String GRPC_ADAPTER = "org.connectionregistry.adapter.grpc..";
  private static final String GENERATED_PROTO = "org.connectionregistry.proto..";
  private static final String BOOTSTRAP = "org.connectionregistry.bootstrap..";

  private static JavaClasses productionClasses;

  @BeforeAll
  static void importProductionClasses() {
    productionClasses =
        new ClassFileImporter()
            .withImportOption(new ImportOption.DoNotIncludeTests())
            .importPackages("org.connectionregistry");
  }

  private static final ArchRule THE_DOMAIN_DEPENDS_ON_NOTHING_BUT_ITSELF_AND_THE_JDK =
      classes()
          .that()
          .resideInAPackage(DOMAIN)
          .should()
          .onlyDependOnClassesThat()
          .resideInAnyPackage(DOMAIN, "java..");

  private static final ArchRule THE_APPLICATION_DEPENDS_ON_NOTHING_BUT_THE_DOMAIN_AND_THE_JDK =
      classes()
          .that()
          .resideInAPackage(APPLICATION)
          .should()
          .onlyDependOnClassesThat()
          .resideInAnyPackage(APPLICATION, DOMAIN, "java..");

  private static final ArchRule THE_APPLICATION_KNOWS_NO_ADAPTER_TRANSPORT_OR_FRAMEWORK =
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

  private static final ArchRule NO_ADAPTER_DEPENDS_ON_ANOTHER_ADAPTER =
      slices()
          .matching("org.connectionregistry.adapter.(*)..")
          .should()
          .notDependOnEachOther();

  private static final ArchRule GENERATED_PROTOBUF_TYPES_STAY_INSIDE_THE_GRPC_ADAPTER =
      noClasses()
          .that()
          .resideOutsideOfPackages(GENERATED_PROTO, GRPC_ADAPTER)
          .and()
          .resideOutsideOfPackage("org.connectionregistry.benchmarks..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage(GENERATED_PROTO);

  private static final ArchRule ONLY_BOOTSTRAP_USES_DAGGER =
      noClasses()
          .that()
          .resideOutsideOfPackage(BOOTSTRAP)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("dagger..", "javax.inject..", "jakarta.inject..");

  private static final ArchRule NOTHING_BUT_BOOTSTRAP_DEPENDS_ON_BOOTSTRAP =
      noClasses()
          .that()
          .resideOutsideOfPackage(BOOTSTRAP)
          .should()
          .dependOnClassesThat()
          .resideInAPackage(BOOTSTRAP);

  /**
   * Ports are what adapters see of the application: interfaces and values. An adapter that holds
   * a session (the gRPC endpoint, the console's present mode) must reach it through
   * {@code HoldSessionUseCase}, never through the service behind it, or swapping the service
   * would reach into every adapter.
   */
  private static final ArchRule PORTS_KNOW_NO_SERVICE_AND_ADAPTERS_USE_ONLY_PORTS =
      noClasses()
          .that()
          .resideInAnyPackage("org.connectionregistry.application.port..", ADAPTERS)
          .should()
          .dependOnClassesThat()
          .resideInAPackage("org.connectionregistry.application.service..");

  private static final ArchRule PACKAGES_FORM_NO_CYCLES =
      slices().matching("org.connectionregistry.(**)").should().beFreeOfCycles();

  @Test
  @Story("Dependencies point inwards")
  @DisplayName("the domain depends on nothing but itself and the JDK")
  void theDomainDependsOnNothingButItselfAndTheJdk() {
    check(THE_DOMAIN_DEPENDS_ON_NOTHING_BUT_ITSELF_AND_THE_JDK);
  }

  @Test
  @Story("Dependencies point inwards")
  @DisplayName("the application depends on nothing but the domain and the JDK")
  void theApplicationDependsOnNothingButTheDomainAndTheJdk() {
    check(THE_APPLICATION_DEPENDS_ON_NOTHING_BUT_THE_DOMAIN_AND_THE_JDK);
  }

  @Test
  @Story("Dependencies point inwards")
  @DisplayName("the application knows no adapter, transport or framework")
  void theApplicationKnowsNoAdapterTransportOrFramework() {
    check(THE_APPLICATION_KNOWS_NO_ADAPTER_TRANSPORT_OR_FRAMEWORK);
  }

  @Test
  @Story("Adapters do not depend on each other")
  @DisplayName("no adapter depends on another adapter")
  void noAdapterDependsOnAnotherAdapter() {
    check(NO_ADAPTER_DEPENDS_ON_ANOTHER_ADAPTER);
  }

  @Test
  @Story("Protobuf stays in adapter-grpc")
  @DisplayName("generated protobuf types stay inside the gRPC adapter")
  void generatedProtobufTypesStayInsideTheGrpcAdapter() {
    check(GENERATED_PROTOBUF_TYPES_STAY_INSIDE_THE_GRPC_ADAPTER);
  }

  @Test
  @Story("Dependencies point inwards")
  @DisplayName("only bootstrap uses Dagger")
  void onlyBootstrapUsesDagger() {
    check(ONLY_BOOTSTRAP_USES_DAGGER);
  }

  @Test
  @Story("Dependencies point inwards")
  @DisplayName("nothing but bootstrap depends on bootstrap")
  void nothingButBootstrapDependsOnBootstrap() {
    check(NOTHING_BUT_BOOTSTRAP_DEPENDS_ON_BOOTSTRAP);
  }

  @Test
  @Story("Dependencies point inwards")
  @DisplayName("ports know no application service, and adapters reach the application only through ports")
  void portsKnowNoServiceAndAdaptersUseOnlyPorts() {
    check(PORTS_KNOW_NO_SERVICE_AND_ADAPTERS_USE_ONLY_PORTS);
  }

  @Test
  @Story("Dependencies point inwards")
  @DisplayName("packages form no cycles")
  void packagesFormNoCycles() {
    check(PACKAGES_FORM_NO_CYCLES);
  }

  /** Checks a rule as one report step that reads the rule's own words. */
  private static void check(ArchRule rule) {
    Allure.step("ArchUnit rule: " + rule.getDescription(), () -> rule.check(productionClasses));
  }
}

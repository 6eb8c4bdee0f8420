package org.connectionregistry.bootstrap;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The dependency rule of the hexagon, checked over every production class of every module.
 * Lives in bootstrap because it is the one module that sees them all. Maven's module graph
 * already makes most violations fail to compile; these rules say the intent out loud and catch
 * what the module graph cannot (a package in the wrong module, a leak through a transitive
 * dependency).
 */
@AnalyzeClasses(
    packages = "org.connectionregistry",
    importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  private static final String DOMAIN = "org.connectionregistry.domain..";
  private static final String APPLICATION = "org.connectionregistry.application..";
  private static final String ADAPTERS = "org.connectionregistry.adapter..";
  private static final String GRPC_ADAPTER = "org.connectionregistry.adapter.grpc..";
  private static final String GENERATED_PROTO = "org.connectionregistry.proto..";
  private static final String BOOTSTRAP = "org.connectionregistry.bootstrap..";

  @ArchTest
  static final ArchRule the_domain_depends_on_nothing_but_itself_and_the_jdk =
      classes()
          .that()
          .resideInAPackage(DOMAIN)
          .should()
          .onlyDependOnClassesThat()
          .resideInAnyPackage(DOMAIN, "java..");

  @ArchTest
  static final ArchRule the_application_depends_on_nothing_but_the_domain_and_the_jdk =
      classes()
          .that()
          .resideInAPackage(APPLICATION)
          .should()
          .onlyDependOnClassesThat()
          .resideInAnyPackage(APPLICATION, DOMAIN, "java..");

  @ArchTest
  static final ArchRule the_application_knows_no_adapter_transport_or_framework =
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

  @ArchTest
  static final ArchRule no_adapter_depends_on_another_adapter =
      slices()
          .matching("org.connectionregistry.adapter.(*)..")
          .should()
          .notDependOnEachOther();

  @ArchTest
  static final ArchRule generated_protobuf_types_stay_inside_the_grpc_adapter =
      noClasses()
          .that()
          .resideOutsideOfPackages(GENERATED_PROTO, GRPC_ADAPTER)
          .and()
          .resideOutsideOfPackage("org.connectionregistry.benchmarks..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage(GENERATED_PROTO);

  @ArchTest
  static final ArchRule only_bootstrap_uses_dagger =
      noClasses()
          .that()
          .resideOutsideOfPackage(BOOTSTRAP)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("dagger..", "javax.inject..", "jakarta.inject..");

  @ArchTest
  static final ArchRule nothing_but_bootstrap_depends_on_bootstrap =
      noClasses()
          .that()
          .resideOutsideOfPackage(BOOTSTRAP)
          .should()
          .dependOnClassesThat()
          .resideInAPackage(BOOTSTRAP);

  @ArchTest
  static final ArchRule packages_form_no_cycles =
      slices().matching("org.connectionregistry.(**)").should().beFreeOfCycles();
}

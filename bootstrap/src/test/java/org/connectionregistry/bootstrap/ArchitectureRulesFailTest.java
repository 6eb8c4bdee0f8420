package org.connectionregistry.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import io.qameta.allure.Allure;
import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.connectionregistry.adapter.console.archfixture.ConsoleThatBuildsProtobuf;
import org.connectionregistry.adapter.console.archfixture.ConsoleWiredByDagger;
import org.connectionregistry.adapter.grpc.archfixture.EndpointThatHoldsTheSessionService;
import org.connectionregistry.adapter.grpc.archfixture.EndpointThatReadsClientSettings;
import org.connectionregistry.adapter.grpc.server.ClientServiceEndpoint;
import org.connectionregistry.adapter.metrics.ServerMetrics;
import org.connectionregistry.adapter.metrics.archfixture.MetricsThatReadTheEndpoint;
import org.connectionregistry.adapter.store.file.FileConnectionRegistry;
import org.connectionregistry.adapter.store.file.archfixture.FileStoreThatReadsRedis;
import org.connectionregistry.adapter.store.redis.RedisConnectionRegistry;
import org.connectionregistry.adapter.web.archfixture.PageThatReadsTheMetrics;
import org.connectionregistry.application.archfixture.ServiceThatAnswersInGrpc;
import org.connectionregistry.application.archfixture.ServiceThatCallsTheEndpoint;
import org.connectionregistry.application.archfixture.ServiceThatReportsLoad;
import org.connectionregistry.application.port.in.SendMessageUseCase;
import org.connectionregistry.application.service.SessionService;
import org.connectionregistry.archfixture.cycle.first.First;
import org.connectionregistry.archfixture.cycle.second.Second;
import org.connectionregistry.benchmarks.archfixture.BenchmarkThatWiresItsOwnServer;
import org.connectionregistry.benchmarks.load.LoadSettings;
import org.connectionregistry.bootstrap.archfixture.LauncherThatPicksAFreePort;
import org.connectionregistry.bootstrap.archfixture.WiringThatBuildsProtobuf;
import org.connectionregistry.bootstrap.archfixture.WiringThatCountsCalls;
import org.connectionregistry.bootstrap.archfixture.WiringThatServesHttp;
import org.connectionregistry.bootstrap.client.ClientSettings;
import org.connectionregistry.commandline.archfixture.DurationPerClient;
import org.connectionregistry.domain.ClientId;
import org.connectionregistry.domain.archfixture.DomainThatCallsAUseCase;
import org.connectionregistry.domain.archfixture.DomainThatLogs;
import org.connectionregistry.proto.ClientStatusRequest;
import org.connectionregistry.proto.MessageRequest;
import org.connectionregistry.testsupport.FreePort;
import org.connectionregistry.testsupport.archfixture.ProcessThatKnowsClients;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * An architecture rule is only believed once it has been seen to fail: each rule of {@link
 * ArchitectureRules} is fed a class that breaks it (the {@code archfixture} packages of these
 * test sources, which the real check never imports) and must report that class.
 */
@Feature("Architecture")
@Story("Every rule can fail")
@DisplayName("Architecture: every rule fails on a class that breaks it")
class ArchitectureRulesFailTest {

  @Test
  @DisplayName("the hexagon fails when the file store depends on the Redis store")
  void theHexagonFailsWhenOneStoreDependsOnTheOther() {
    assertBreaks(
        ArchitectureRules.THE_HEXAGON, FileStoreThatReadsRedis.class, RedisConnectionRegistry.class);
  }

  @Test
  @DisplayName("the hexagon fails when the console uses the gRPC adapter's protobuf types")
  void theHexagonFailsWhenTheConsoleUsesProtobuf() {
    assertBreaks(
        ArchitectureRules.THE_HEXAGON, ConsoleThatBuildsProtobuf.class, MessageRequest.class);
  }

  @Test
  @DisplayName("the hexagon fails when the domain depends on the application")
  void theHexagonFailsWhenTheDomainDependsOnTheApplication() {
    assertBreaks(
        ArchitectureRules.THE_HEXAGON, DomainThatCallsAUseCase.class, SendMessageUseCase.class);
  }

  @Test
  @DisplayName("the hexagon fails when the application depends on an adapter")
  void theHexagonFailsWhenTheApplicationDependsOnAnAdapter() {
    assertBreaks(
        ArchitectureRules.THE_HEXAGON,
        ServiceThatCallsTheEndpoint.class,
        ClientServiceEndpoint.class);
  }

  @Test
  @DisplayName("a missing module is found: the rules would check nothing there")
  void aModuleWithoutClassesIsFound() {
    JavaClasses onlyTheDomain = new ClassFileImporter().importClasses(ClientId.class);

    Allure.step(
        "only the domain is imported: every other module is reported empty",
        () ->
            assertThat(ArchitectureTest.modulesWithoutClasses(onlyTheDomain))
                .contains(ArchitectureRules.FILE_STORE_ADAPTER, ArchitectureRules.BENCHMARKS)
                .doesNotContain(ArchitectureRules.DOMAIN));
  }

  @Test
  @DisplayName("the domain's rule fails on a domain class that uses a logging library")
  void theDomainRuleFailsOnALibrary() {
    assertBreaks(
        ArchitectureRules.THE_DOMAIN_DEPENDS_ON_NOTHING_BUT_ITSELF_AND_THE_JDK,
        DomainThatLogs.class);
  }

  @Test
  @DisplayName("the application's rule fails on an application class that uses gRPC")
  void theApplicationRuleFailsOnGrpc() {
    assertBreaks(
        ArchitectureRules.THE_APPLICATION_DEPENDS_ON_NOTHING_BUT_THE_DOMAIN_AND_THE_JDK,
        ServiceThatAnswersInGrpc.class);
  }

  @Test
  @DisplayName("the application's no-transport rule fails on an application class that uses gRPC")
  void theApplicationKnowsNoTransportRuleFailsOnGrpc() {
    assertBreaks(
        ArchitectureRules.THE_APPLICATION_KNOWS_NO_ADAPTER_TRANSPORT_OR_FRAMEWORK,
        ServiceThatAnswersInGrpc.class);
  }

  @Test
  @DisplayName("the protobuf rule fails on wiring that builds a protobuf request")
  void theProtobufRuleFailsOutsideTheGrpcAdapter() {
    assertBreaks(
        ArchitectureRules.GENERATED_PROTOBUF_TYPES_STAY_INSIDE_THE_GRPC_ADAPTER,
        WiringThatBuildsProtobuf.class,
        ClientStatusRequest.class);
  }

  @Test
  @DisplayName("the Dagger rule fails on an adapter that uses Dagger")
  void theDaggerRuleFailsOnAnAdapter() {
    assertBreaks(ArchitectureRules.ONLY_BOOTSTRAP_USES_DAGGER, ConsoleWiredByDagger.class);
  }

  @Test
  @DisplayName("the bootstrap rule fails on an adapter that depends on bootstrap")
  void theBootstrapRuleFailsOnAnAdapter() {
    assertBreaks(
        ArchitectureRules.NOTHING_BUT_BOOTSTRAP_DEPENDS_ON_BOOTSTRAP,
        EndpointThatReadsClientSettings.class,
        ClientSettings.class);
  }

  @Test
  @DisplayName("the ports rule fails on an endpoint that holds sessions through the service itself")
  void thePortsRuleFailsOnAnAdapterThatUsesAService() {
    assertBreaks(
        ArchitectureRules.ADAPTERS_AND_PORTS_KNOW_NO_APPLICATION_SERVICE,
        EndpointThatHoldsTheSessionService.class,
        SessionService.class);
  }

  @Test
  @DisplayName("the cycle rule fails on two packages that depend on each other")
  void theCycleRuleFailsOnACycle() {
    assertBreaks(ArchitectureRules.PACKAGES_FORM_NO_CYCLES, First.class, Second.class);
  }

  @Test
  @DisplayName("the benchmarks' rule fails on a benchmark that wires a server from a store and bootstrap")
  void theBenchmarksRuleFailsOnABenchmarkThatWiresAServer() {
    assertBreaks(
        ArchitectureRules.THE_BENCHMARKS_RUN_THE_PACKAGED_SERVER_AND_NEVER_WIRE_ONE,
        BenchmarkThatWiresItsOwnServer.class,
        FileConnectionRegistry.class,
        ClientSettings.class);
  }

  @Test
  @DisplayName("the rule that nothing depends on the benchmarks fails on a use case that does")
  void nothingDependsOnTheBenchmarksFailsOnAUseCaseThatDoes() {
    assertBreaks(
        ArchitectureRules.NOTHING_DEPENDS_ON_THE_BENCHMARKS,
        ServiceThatReportsLoad.class,
        LoadSettings.class);
  }

  @Test
  @DisplayName("the command-line rule fails on a duration that knows a client ID")
  void theCommandLineRuleFailsOnTheDomain() {
    assertBreaks(
        ArchitectureRules.THE_COMMAND_LINE_SYNTAX_KNOWS_NOTHING_OF_THE_REGISTRY,
        DurationPerClient.class);
  }

  @Test
  @DisplayName("the test-support rule fails on a launcher that uses it")
  void theTestSupportRuleFailsOnALauncher() {
    assertBreaks(
        ArchitectureRules.NO_PRODUCTION_CODE_USES_THE_TEST_SUPPORT,
        LauncherThatPicksAFreePort.class,
        FreePort.class);
  }

  @Test
  @DisplayName("the rule that the test support knows nothing of the registry fails on one that does")
  void theTestSupportKnowsNothingRuleFailsOnTheDomain() {
    assertBreaks(
        ArchitectureRules.THE_TEST_SUPPORT_KNOWS_NOTHING_OF_THE_REGISTRY,
        ProcessThatKnowsClients.class);
  }

  @Test
  @DisplayName("the metrics rule fails on wiring that uses Micrometer itself")
  void theMetricsRuleFailsOutsideTheMetricsAdapter() {
    assertBreaks(
        ArchitectureRules.METRICS_LIBRARIES_STAY_INSIDE_THE_METRICS_ADAPTER,
        WiringThatCountsCalls.class);
  }

  @Test
  @DisplayName("the hexagon fails when the metrics adapter depends on the gRPC adapter")
  void theHexagonFailsWhenTheMetricsAdapterUsesTheGrpcAdapter() {
    assertBreaks(
        ArchitectureRules.THE_HEXAGON, MetricsThatReadTheEndpoint.class, ClientServiceEndpoint.class);
  }

  @Test
  @DisplayName("the hexagon fails when the web adapter depends on the metrics adapter")
  void theHexagonFailsWhenTheWebAdapterUsesTheMetricsAdapter() {
    assertBreaks(ArchitectureRules.THE_HEXAGON, PageThatReadsTheMetrics.class, ServerMetrics.class);
  }

  @Test
  @DisplayName("the HTTP server rule fails on wiring that serves HTTP itself")
  void theHttpServerRuleFailsOutsideTheWebAdapter() {
    assertBreaks(
        ArchitectureRules.THE_HTTP_SERVER_STAYS_INSIDE_THE_WEB_ADAPTER, WiringThatServesHttp.class);
  }

  /**
   * Imports {@code breaker} with the classes it depends on, and expects {@code rule} to fail and
   * to name {@code breaker} in its report.
   */
  private static void assertBreaks(ArchRule rule, Class<?> breaker, Class<?>... dependencies) {
    Class<?>[] all = new Class<?>[dependencies.length + 1];
    all[0] = breaker;
    System.arraycopy(dependencies, 0, all, 1, dependencies.length);
    JavaClasses classes = new ClassFileImporter().importClasses(all);
    String imported =
        Arrays.stream(all).map(Class::getSimpleName).collect(Collectors.joining(", "));

    Allure.step(
        "ArchUnit rule fails on " + imported + ": " + rule.getDescription(),
        () ->
            assertThatThrownBy(() -> rule.check(classes))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Architecture Violation")
                .hasMessageContaining(breaker.getName()));
  }
}

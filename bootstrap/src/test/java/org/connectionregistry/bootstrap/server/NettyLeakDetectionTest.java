package org.connectionregistry.bootstrap.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.qameta.allure.Feature;
import io.qameta.allure.Story;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@Feature("Performance")
@Story("Netty leak detection")
@DisplayName("Netty leak detection: off in the server unless the JVM was told a level")
class NettyLeakDetectionTest {

  private static final String SHADED = "io.grpc.netty.shaded.io.netty.leakDetection.level";
  private static final String SHADED_OLD = "io.grpc.netty.shaded.io.netty.leakDetectionLevel";
  private static final String PLAIN = "io.netty.leakDetection.level";
  private static final String PLAIN_OLD = "io.netty.leakDetectionLevel";

  private final Map<String, String> saved = new HashMap<>();

  @BeforeEach
  void clearLevels() {
    for (String name : List.of(SHADED, SHADED_OLD, PLAIN, PLAIN_OLD)) {
      saved.put(name, System.getProperty(name));
      System.clearProperty(name);
    }
  }

  @AfterEach
  void restoreLevels() {
    saved.forEach(
        (name, value) -> {
          if (value == null) {
            System.clearProperty(name);
          } else {
            System.setProperty(name, value);
          }
        });
  }

  @Test
  @DisplayName("without a level given, both gRPC's shaded Netty and plain Netty are set to disabled")
  void offWhenNothingIsAsked() {
    NettyLeakDetection.offUnlessAsked();

    assertThat(System.getProperty(SHADED)).isEqualTo("disabled");
    assertThat(System.getProperty(PLAIN)).isEqualTo("disabled");
  }

  @Test
  @DisplayName("a level given on the command line, by the new or the old name, is left as it was")
  void aLevelGivenIsKept() {
    System.setProperty(SHADED, "paranoid");
    System.setProperty(PLAIN_OLD, "simple");

    NettyLeakDetection.offUnlessAsked();

    assertThat(System.getProperty(SHADED)).isEqualTo("paranoid");
    assertThat(System.getProperty(PLAIN)).isNull();
    assertThat(System.getProperty(PLAIN_OLD)).isEqualTo("simple");
  }
}

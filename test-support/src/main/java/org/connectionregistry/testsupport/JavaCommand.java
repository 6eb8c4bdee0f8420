package org.connectionregistry.testsupport;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A command line that runs another JVM: the same {@code java} that runs this one. */
public final class JavaCommand {

  private JavaCommand() {}

  /** The {@code java} binary of the running JVM. */
  public static Path java() {
    return Path.of(System.getProperty("java.home"), "bin", "java");
  }

  /** {@code java <jvmFlags> <args>}. */
  public static List<String> of(List<String> jvmFlags, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(java().toString());
    command.addAll(jvmFlags);
    command.addAll(args);
    return command;
  }

  /** {@code java <jvmFlags> -jar <jar> <args>}. */
  public static List<String> ofJar(List<String> jvmFlags, Path jar, List<String> args) {
    List<String> all = new ArrayList<>(List.of("-jar", jar.toString()));
    all.addAll(args);
    return of(jvmFlags, all);
  }

  /** Splits flags or arguments written as one line ({@code "-Xms2g -Xmx2g"}) at whitespace. */
  public static List<String> words(String text) {
    String stripped = text.strip();
    return stripped.isEmpty() ? List.of() : Arrays.asList(stripped.split("\\s+"));
  }
}

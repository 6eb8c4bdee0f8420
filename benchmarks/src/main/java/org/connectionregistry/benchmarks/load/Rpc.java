package org.connectionregistry.benchmarks.load;

/** The RPCs a load run can drive. */
public enum Rpc {
  SEND("SendMessage"),
  STATUS("GetClientStatus");

  private final String methodName;

  Rpc(String methodName) {
    this.methodName = methodName;
  }

  /** The method name as the wire spells it. */
  public String methodName() {
    return methodName;
  }

  /** The name the command line uses: {@code send} or {@code status}. */
  public String optionName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}

package org.connectionregistry.adapter.console;

/** Option 3: leaves the menu. */
final class ExitOption implements MenuOption {

  @Override
  public String label() {
    return "Exit";
  }

  @Override
  public Next run(Console console) {
    console.say("Exiting client.");
    return Next.STOP;
  }
}

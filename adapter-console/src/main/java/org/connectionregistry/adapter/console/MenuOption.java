package org.connectionregistry.adapter.console;

/** One numbered entry of the menu. */
interface MenuOption {

  /** What the menu shows next to the option's number. */
  String label();

  /**
   * Asks what the option needs and shows the outcome. Domain errors are left to the menu, which
   * reports them all the same way.
   */
  Next run(Console console);

  /** Whether the menu goes on after an option. */
  enum Next {
    SHOW_MENU,
    STOP
  }
}

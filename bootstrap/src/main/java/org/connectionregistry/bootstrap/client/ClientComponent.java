package org.connectionregistry.bootstrap.client;

import dagger.BindsInstance;
import dagger.Component;
import java.io.InputStream;
import java.io.PrintStream;
import javax.inject.Singleton;
import org.connectionregistry.adapter.console.ConsoleMenu;

/** Everything the console client process runs, reading {@code in} and writing {@code out}. */
@Singleton
@Component(modules = ClientModule.class)
public interface ClientComponent {

  ConsoleMenu menu();

  ServerConnection serverConnection();

  @Component.Factory
  interface Factory {
    ClientComponent create(
        @BindsInstance ClientSettings settings,
        @BindsInstance ClientSecurityOptions.ClientSecurity security,
        @BindsInstance InputStream in,
        @BindsInstance PrintStream out);
  }
}

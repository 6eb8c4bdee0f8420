package org.connectionregistry.bootstrap.archfixture;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;

/** Breaks a rule on purpose: wiring that serves HTTP itself instead of through the web adapter. */
public final class WiringThatServesHttp {
  HttpServer serve() throws IOException {
    return HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
  }
}

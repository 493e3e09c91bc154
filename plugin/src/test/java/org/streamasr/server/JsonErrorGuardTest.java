package org.streamasr.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.streamasr.runtime.DistinctErrorLog;
import org.streamasr.testing.Http;

/** A handler that throws, behind the server's safety net: a 500 JSON error without the exception, logged once. */
class JsonErrorGuardTest {
    private final DistinctErrorLog errors = new DistinctErrorLog();
    private final AtomicInteger calls = new AtomicInteger();
    private HttpServer server;
    private Http http;

    /** Throws on every request; on odd ones after it has set a header and written part of a body. */
    private final HttpHandler throwing = new HttpHandler() {
        @Override
        public void service(Request request, Response response) throws Exception {
            if (calls.incrementAndGet() % 2 == 1) {
                response.setHeader("X-Half-Done", "yes");
                response.getWriter().write("<html>half a page");
            }
            throw new IllegalStateException("secret table 'users' exploded at row 17");
        }
    };

    @AfterEach
    void stop() {
        if (http != null) http.close();
        if (server != null) server.shutdownNow();
    }

    @Test
    void anExceptionIsA500JsonErrorWithoutTheExceptionAndIsLoggedOnce() throws Exception {
        server = new HttpServer();
        server.addListener(new NetworkListener("guard-test", "127.0.0.1", 0));
        server.getServerConfiguration().addHttpHandler(new JsonErrorGuard("HTTP /boom", throwing, errors), "/boom");
        server.start();
        http = new Http(URI.create("http://127.0.0.1:" + server.getListener("guard-test").getPort()));

        for (int i = 0; i < 3; i++) {
            Http.Reply r = http.get("/boom");
            assertEquals(500, r.status(), r.body());
            assertEquals("application/json;charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
            assertEquals(500, r.json().get("error").get("status").asInt());
            assertEquals(JsonErrorGuard.MESSAGE, r.json().get("error").get("message").asText());
            assertFalse(r.body().contains("exploded") || r.body().contains("IllegalStateException")
                    || r.body().contains("half a page"), r.body());
            assertTrue(r.headers().firstValue("X-Half-Done").isEmpty(), "what the handler had set is discarded");
        }
        assertEquals(3, errors.total(), "every failure is counted");
        assertEquals(1, errors.snapshot().size(), "one distinct error, logged once: " + errors.snapshot());
        assertTrue(errors.snapshot().keySet().iterator().next().startsWith("HTTP /boom: java.lang.IllegalStateException"),
                errors.snapshot().toString());
    }
}

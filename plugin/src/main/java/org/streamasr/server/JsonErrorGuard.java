package org.streamasr.server;

import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamasr.runtime.DistinctErrorLog;

/**
 * The safety net around the server's own HTTP handlers (calls API, health, metrics, the captions page's files):
 * whatever a handler throws is answered with a 500 in the calls API's JSON error shape, never with Grizzly's error
 * page, which carries the exception and its stack trace. Each distinct failure is logged once with its stack trace
 * ({@link DistinctErrorLog}, counted in {@code asr_errors_total}). The hosted API has its own (fal-shaped) guard.
 */
final class JsonErrorGuard extends HttpHandler {
    static final String MESSAGE = "internal server error; the server log has the details";
    private static final Logger LOG = LoggerFactory.getLogger(JsonErrorGuard.class);

    private final String where;
    private final HttpHandler handler;
    private final DistinctErrorLog errors;

    /** @param where names the handler in the error log ("HTTP /v1/calls") */
    JsonErrorGuard(String where, HttpHandler handler, DistinctErrorLog errors) {
        super(handler.getName());
        this.where = where;
        this.handler = handler;
        this.errors = errors;
    }

    @Override
    public void service(Request request, Response response) {
        try {
            handler.service(request, response);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            errors.record(where, e);
            answer(request, response);
        }
    }

    private static void answer(Request request, Response response) {
        try {
            if (response.isCommitted()) {
                LOG.debug("{} {}: the failure came after the response was committed; nothing more to send",
                        request.getMethod(), request.getRequestURI());
                return;
            }
            response.reset();
            HttpJson.error(response, 500, MESSAGE);
        } catch (Exception e) {
            LOG.debug("could not answer {} {} with a 500: {}", request.getMethod(), request.getRequestURI(), e.toString());
        } finally {
            if (response.isSuspended()) response.resume();
        }
    }
}

package org.streamasr.server;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;

/** {@code GET /metrics}: the Prometheus text format. */
final class MetricsHandler extends HttpHandler {
    private final PrometheusRegistry registry;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    MetricsHandler(PrometheusRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void service(Request request, Response response) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        writer.write(out, registry.scrape());
        response.setStatus(200);
        response.setContentType(writer.getContentType());
        response.setContentLength(out.size());
        out.writeTo(response.getOutputStream());
    }
}

package org.streamasr.api.http;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;
import org.streamasr.api.ApiConfig;
import org.streamasr.api.ApiError;
import org.streamasr.api.ApiMetrics;
import org.streamasr.api.ErrorLog;
import org.streamasr.api.jobs.JobService;
import org.streamasr.api.storage.UploadService;
import org.streamasr.api.webhook.WebhookDispatcher;
import org.streamasr.engine.SpeechEngine;

/**
 * The hosted API's one Grizzly handler: routes fal's URL shapes (direct, and through the {@code @fal-ai/client}
 * proxy at {@code /api/fal/proxy}, where the {@code x-fal-target-url} header names the fal URL to serve), checks
 * the API key, and answers every failure in fal's error shapes.
 */
public final class ApiHttpHandler extends HttpHandler {
    /** The paths to register with Grizzly. */
    public static final List<String> MAPPINGS = List.of("/" + Endpoints.APP + "/*", "/queue/" + Endpoints.APP + "/*",
            "/storage/*", "/api/fal/proxy");
    static final String PROXY_PATH = "/api/fal/proxy";
    static final String TARGET_HEADER = "x-fal-target-url";

    private static final Pattern REQUEST = Pattern.compile("(?:/" + Endpoints.ENDPOINT + ")?/requests/([A-Za-z0-9-]{1,64})(/status|/status/stream|/cancel)?");
    private static final Pattern UPLOAD = Pattern.compile("/storage/upload/([A-Za-z0-9_-]{43})");
    private static final Pattern FILE = Pattern.compile("/storage/files/([A-Za-z0-9_-]{22})(?:/[^/]*)?");

    private enum Host { RUN, QUEUE, STORAGE }

    private final Endpoints ctx;
    private final ApiKeys keys;
    private final QueueEndpoints queue;
    private final RunEndpoints run;
    private final StorageEndpoints storage;
    private volatile boolean closed;

    public ApiHttpHandler(ApiConfig config, JobService jobs, UploadService uploads, SpeechEngine engine,
                          ApiMetrics metrics, ErrorLog errors, ScheduledExecutorService events, Executor lookups,
                          Executor storeCalls, WebhookDispatcher webhooks) {
        this.ctx = new Endpoints(config, jobs, uploads, engine, metrics, errors, events, lookups, storeCalls, webhooks);
        this.keys = new ApiKeys(config.keys(), config.open());
        this.queue = new QueueEndpoints(ctx);
        this.run = new RunEndpoints(ctx, queue);
        this.storage = new StorageEndpoints(ctx);
    }

    /** The context its endpoints share (the outside APIs' handler serves from the same one). */
    Endpoints endpoints() {
        return ctx;
    }

    @Override
    public void service(Request request, Response response) {
        HttpExchange ex = new HttpExchange(request, response, ctx.errors);
        ex.guard(() -> route(ex));
    }

    /** From now on, new requests get 503. */
    public void refuseNewRequests() {
        closed = true;
    }

    /** Ends the event streams still open (status streams; transcript streams have ended with their requests). */
    public void endStreams() {
        for (SseStream s : ctx.streams) s.abort();
    }

    private void route(HttpExchange ex) throws Exception {
        if (closed) throw ApiError.plain(503, "runner_scheduling_failure", "the server is shutting down; retry shortly");
        String path = ex.path();
        Host host;
        if (path.equals(PROXY_PATH) || path.startsWith(PROXY_PATH + "/")) {
            host = proxyTarget(ex);
            path = ex.path();
        } else if (path.startsWith("/queue/")) {
            host = Host.QUEUE;
            path = path.substring("/queue".length());
        } else if (path.startsWith("/storage/")) {
            host = Host.STORAGE;
        } else {
            host = Host.RUN;
        }
        if (host == Host.STORAGE) {
            routeStorage(ex, path);
            return;
        }
        String prefix = "/" + Endpoints.APP;
        if (!path.equals(prefix) && !path.startsWith(prefix + "/")) {
            throw Endpoints.notFound("this server serves only the model " + Endpoints.MODEL_ID + ", not '"
                    + modelOf(path) + "'");
        }
        String rest = path.substring(prefix.length());
        if (host == Host.RUN) {
            if (rest.equals("/" + Endpoints.ENDPOINT)) {
                requireMethod(ex, "POST");
                run.sync(ex, owner(ex));
            } else if (rest.equals("/" + Endpoints.ENDPOINT + "/stream")) {
                requireMethod(ex, "POST");
                run.stream(ex, owner(ex));
            } else {
                throw unknownEndpoint(rest);
            }
            return;
        }
        if (rest.equals("/" + Endpoints.ENDPOINT)) {
            requireMethod(ex, "POST");
            queue.submit(ex, owner(ex));
            return;
        }
        Matcher m = REQUEST.matcher(rest);
        if (!m.matches()) throw unknownEndpoint(rest);
        String id = m.group(1);
        String op = m.group(2) == null ? "" : m.group(2);
        // each reads the request's record: in a cluster that waits on JetStream, so not on this thread
        switch (op) {
            case "/status": {
                requireMethod(ex, "GET");
                String owner = owner(ex);
                ctx.offStore(ex, () -> queue.status(ex, owner, id));
                break;
            }
            case "/status/stream": {
                requireMethod(ex, "GET");
                String owner = owner(ex);
                ctx.offStore(ex, () -> queue.statusStream(ex, owner, id));
                break;
            }
            case "/cancel": {
                requireMethod(ex, "PUT");
                String owner = owner(ex);
                ctx.offStore(ex, () -> queue.cancel(ex, owner, id));
                break;
            }
            default: {
                requireMethod(ex, "GET");
                String owner = owner(ex);
                ctx.offStore(ex, () -> queue.result(ex, owner, id));
                break;
            }
        }
    }

    private void routeStorage(HttpExchange ex, String path) throws Exception {
        if (path.equals("/storage/upload/initiate")) {
            requireMethod(ex, "POST");
            storage.initiate(ex, owner(ex));
            return;
        }
        if (path.equals("/storage/upload/initiate-multipart")) {
            requireMethod(ex, "POST");
            owner(ex);
            storage.initiateMultipart();
            return;
        }
        Matcher up = UPLOAD.matcher(path);
        if (up.matches()) {
            requireMethod(ex, "PUT");
            storage.put(ex, up.group(1));
            return;
        }
        Matcher file = FILE.matcher(path);
        if (file.matches()) {
            requireMethod(ex, "GET");
            ctx.offStore(ex, () -> storage.get(ex, file.group(1)));   // in a cluster: fetched from JetStream first
            return;
        }
        throw Endpoints.notFound("unknown storage endpoint '" + path + "'");
    }

    /**
     * The proxy protocol of {@code @fal-ai/client}: serve the fal URL in {@code x-fal-target-url} locally. Only fal
     * hosts, only our model and the storage endpoints.
     */
    private Host proxyTarget(HttpExchange ex) throws ApiError {
        String target = ex.header(TARGET_HEADER);
        if (target == null || target.isBlank()) {
            throw ApiError.plain(400, "bad_request", "missing the " + TARGET_HEADER + " header: this is the "
                    + "@fal-ai/client proxy endpoint (configure it as proxyUrl)");
        }
        URI uri;
        try {
            uri = new URI(target.trim());
        } catch (URISyntaxException e) {
            throw ApiError.plain(400, "bad_request", TARGET_HEADER + " is not a URL");
        }
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        if (!host.equals("fal.run") && !host.endsWith(".fal.run") && !host.equals("fal.ai") && !host.endsWith(".fal.ai")) {
            throw ApiError.plain(403, "forbidden", TARGET_HEADER + " must be a fal.run or fal.ai URL; got host '"
                    + host + "'");
        }
        ex.rewrite(uri.getRawPath(), uri.getRawQuery());
        if (host.startsWith("queue.")) return Host.QUEUE;
        if (ex.path().startsWith("/storage/")) return Host.STORAGE;
        if (host.startsWith("ws.") || host.startsWith("realtime.") || host.endsWith(".fal.ai")) {
            throw ApiError.plain(404, "not_found", "this server does not serve " + host + ex.path()
                    + " (supported: the queue, direct, streaming and storage endpoints of " + Endpoints.MODEL_ID + ")");
        }
        return Host.RUN;
    }

    private String owner(HttpExchange ex) throws ApiError {
        try {
            return keys.authenticate(ex.header("Authorization"));
        } catch (ApiError e) {
            ctx.metrics.rejected.labelValues("unauthorized").inc();
            throw e;
        }
    }

    private static void requireMethod(HttpExchange ex, String method) throws ApiError {
        if (!ex.method.equals(method)) {
            throw ApiError.plain(405, "method_not_allowed", ex.method + " is not allowed here; use " + method);
        }
    }

    private static ApiError unknownEndpoint(String rest) {
        return Endpoints.notFound("unknown endpoint '" + rest + "' of " + Endpoints.APP + " (it has /"
                + Endpoints.ENDPOINT + ", /" + Endpoints.ENDPOINT + "/stream and /requests/{request_id}[/status"
                + "[/stream]|/cancel] on the queue)");
    }

    private static String modelOf(String path) {
        String[] seg = path.replaceFirst("^/", "").split("/");
        if (seg.length >= 2) return seg[0] + "/" + seg[1];
        return path;
    }
}

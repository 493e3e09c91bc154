package org.streamasr.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.glassfish.grizzly.http.Method;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamasr.media.CallRejectedException;
import org.streamasr.media.rtp.RtpEndpointSpec;
import org.streamasr.cluster.CallDirectory;
import org.streamasr.stream.CallRegistry;
import org.streamasr.stream.CallRejections;
import org.streamasr.stream.CallRequest;
import org.streamasr.stream.CallSession;
import org.streamasr.stream.CallSession.ParticipantInfo;
import org.streamasr.api.webhook.WebhookDispatcher;
import org.streamasr.transcripts.CallTranscripts;
import org.streamasr.transcripts.TranscriptFormats;

/**
 * The calls API:
 * <ul>
 *   <li>{@code POST /v1/calls {callId?, engine?, model?, language?, acceleration?, rtp?}} → 201
 *       {@code {callId, rtpHost?, rtpPort?, node, captionsUrl, token}}; in a cluster a call with {@code rtp} is
 *       placed on the node with the most free streams ({@link CallPlacement})</li>
 *   <li>{@code GET /v1/calls} → the live calls (participants, start time, source, captionsUrl)</li>
 *   <li>{@code GET /v1/calls/{id}} → one call</li>
 *   <li>{@code DELETE /v1/calls/{id}} → ends the call; answers once its last finals were delivered</li>
 *   <li>{@code GET /v1/calls/{id}/transcript?format=json|txt|vtt|srt} → the call's finals so far, while it runs and
 *       for asr.calls.transcript-retention after it ended</li>
 * </ul>
 * Bad input is answered with a 4xx and a message, never a stack trace.
 */
final class CallsHandler extends HttpHandler {
    static final String PATH = "/v1/calls";
    private static final Logger LOG = LoggerFactory.getLogger(CallsHandler.class);
    private static final Set<String> FIELDS = Set.of("callId", "engine", "model", "language", "acceleration", "rtp",
            "transcriptWebhook");
    private static final int MAX_BODY = 64 * 1024;
    /** Seconds a 503 (this node or every node full) asks the client to wait before trying again. */
    static final int RETRY_AFTER_SECONDS = 5;
    static final Duration PLACEMENT_TIMEOUT = Duration.ofSeconds(10);

    private final CallRegistry calls;
    private final OperatorKeys keys;
    private final String publicUrl;
    private final Duration endTimeout;
    private final RtpCalls rtp;
    private final String node;
    private final CallDirectory directory;
    private final CallTranscripts transcripts;
    private final String mediaAddress;
    private volatile CallPlacement placement;

    /**
     * @param node         this node's id (each entry says which node holds the call)
     * @param directory    the other nodes' calls ({@link CallDirectory#NONE} without a cluster)
     * @param mediaAddress where RTP senders reach this node ({@code rtpHost}, asr.cluster.media-address)
     */
    CallsHandler(CallRegistry calls, OperatorKeys keys, String node, CallDirectory directory, String publicUrl,
                 Duration endTimeout, RtpCalls rtp, CallTranscripts transcripts, String mediaAddress) {
        this.mediaAddress = mediaAddress;
        this.transcripts = transcripts;
        this.calls = calls;
        this.node = node;
        this.directory = directory;
        this.keys = keys;
        this.publicUrl = publicUrl;
        this.endTimeout = endTimeout;
        this.rtp = rtp;
    }

    @Override
    public void service(Request request, Response response) throws Exception {
        if (!keys.allows(request)) {
            response.setHeader("WWW-Authenticate", "Bearer");
            HttpJson.error(response, 401, "missing or wrong API key (Authorization: Bearer KEY)");
            return;
        }
        String path = request.getDecodedRequestURI();
        String rest = path.length() > PATH.length() ? path.substring(PATH.length()) : "";
        if (rest.isEmpty() || rest.equals("/")) {
            if (request.getMethod() == Method.POST) create(request, response);
            else if (request.getMethod() == Method.GET) list(request, response);
            else methodNotAllowed(response, "GET, POST");
            return;
        }
        String id = rest.substring(1);
        if (id.endsWith("/transcript") && id.indexOf('/') == id.length() - "/transcript".length()) {
            if (request.getMethod() == Method.GET) transcript(id.substring(0, id.indexOf('/')), request, response);
            else methodNotAllowed(response, "GET");
            return;
        }
        if (id.contains("/")) {
            HttpJson.error(response, 404, "no such resource: " + path);
            return;
        }
        Optional<CallSession> call = calls.find(id);
        if (call.isEmpty()) {
            if (request.getMethod() == Method.GET && directory.remoteCall(id).isPresent()) {
                HttpJson.send(response, 200, directory.remoteCall(id).get());
            } else if (request.getMethod() == Method.DELETE && directory.remoteCall(id).isPresent()) {
                endRemote(id, response);
            } else {
                HttpJson.error(response, 404, "no live call '" + id + "'");
            }
            return;
        }
        if (request.getMethod() == Method.GET) HttpJson.send(response, 200, describe(call.get(), request, true));
        else if (request.getMethod() == Method.DELETE) end(call.get(), response);
        else methodNotAllowed(response, "GET, DELETE");
    }

    private void create(Request request, Response response) throws Exception {
        JsonNode body;
        try {
            body = HttpJson.readBody(request, MAX_BODY);
        } catch (HttpJson.BadRequestException e) {
            HttpJson.error(response, e.status, e.getMessage());
            return;
        }
        String base = wsBase(request);
        if (!body.has("rtp") || body.get("rtp").isNull() || placement == null) {
            send(response, createHere(body, base));
            return;
        }
        CallDirectory.Answer invalid = check(body);
        if (invalid != null) {
            send(response, invalid);
            return;
        }
        response.suspend(PLACEMENT_TIMEOUT.toMillis() * 3 + 5000, TimeUnit.MILLISECONDS);
        placement.place(HttpJson.MAPPER.writeValueAsBytes(body), () -> createHere(body, base))
                .whenComplete((answer, error) -> {
                    try {
                        if (error != null) HttpJson.error(response, 500, "placing the call failed: " + error.getMessage());
                        else send(response, answer);
                    } catch (Exception e) {
                        LOG.debug("cannot answer a call placement", e);
                    } finally {
                        response.resume();
                    }
                });
    }

    /** Creates a call here for another node's placement (captions URLs on {@code base}, this node's URL). */
    CompletableFuture<CallDirectory.Answer> createForPlacement(byte[] request, String base) {
        JsonNode body;
        try {
            body = HttpJson.MAPPER.readTree(request);
        } catch (java.io.IOException e) {
            return CompletableFuture.completedFuture(error(400, "request body is not valid JSON: " + e.getMessage()));
        }
        return CompletableFuture.completedFuture(createHere(body, (publicUrl != null ? publicUrl : base)
                .replaceFirst("^http", "ws")));
    }

    /** The answer to a create: the body, a Location with a 201, a Retry-After with a 503 (try later or elsewhere). */
    private static void send(Response response, CallDirectory.Answer answer) throws Exception {
        if (answer.status() == 201) response.setHeader("Location", PATH + "/" + answer.body().get("callId"));
        if (answer.status() == 503) response.setHeader("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
        HttpJson.send(response, answer.status(), answer.body());
    }

    private static CallDirectory.Answer error(int status, String message) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("status", status);
        e.put("message", message);
        return new CallDirectory.Answer(status, Map.of("error", e));
    }

    /** A 400 naming what is wrong with a create's body, or null. */
    private CallDirectory.Answer check(JsonNode body) {
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                return error(400, "unknown field '" + f + "'; allowed: " + String.join(", ", sorted(FIELDS)));
            }
        }
        try {
            text(body, "callId");
            text(body, "engine");
            text(body, "model");
            text(body, "language");
            text(body, "acceleration");
            String webhook = text(body, "transcriptWebhook");
            if (webhook != null) {
                String problem = WebhookDispatcher.precheck(webhook);
                if (problem == null && !transcripts.canSendWebhooks()) {
                    problem = "this server sends no webhooks (the hosted API is disabled: asr.api.enabled)";
                }
                if (problem != null) return error(400, "'transcriptWebhook': " + problem);
            }
            if (body.has("rtp") && !body.get("rtp").isNull()) rtp.parse(body.get("rtp"));
        } catch (IllegalArgumentException e) {
            return error(400, e.getMessage());
        }
        return null;
    }

    /** Creates the call on this node; {@code base} is the ws(s)://host its captions URL starts with. */
    private CallDirectory.Answer createHere(JsonNode body, String base) {
        CallDirectory.Answer invalid = check(body);
        if (invalid != null) return invalid;
        RtpEndpointSpec rtpRequest = body.has("rtp") && !body.get("rtp").isNull() ? rtp.parse(body.get("rtp")) : null;
        CallSession call;
        try {
            call = calls.create(new CallRequest(text(body, "callId"), rtpRequest != null ? "rtp" : "api",
                    text(body, "engine"), text(body, "model"), text(body, "language"), text(body, "acceleration"),
                    Map.of()));
        } catch (CallRejectedException e) {
            return error(statusOf(e), e.getMessage());
        } catch (IllegalArgumentException e) {
            return error(400, e.getMessage());
        }
        if (rtpRequest != null) {
            try {
                rtp.attach(call, rtpRequest);
            } catch (CallRejectedException e) {
                call.end("rtp-unavailable");
                return error(503, e.getMessage());
            }
        }
        String webhook = text(body, "transcriptWebhook");
        if (webhook != null) transcripts.setWebhook(call.id(), webhook);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("callId", call.id());
        Object port = call.info().get("rtpPort");
        if (port != null) {
            out.put("rtpHost", mediaAddress);
            out.put("rtpPort", port);
        }
        out.put("node", node);
        out.put("captionsUrl", captionsUrl(call, base));
        out.put("token", call.token());
        out.put("engine", call.engineName());
        out.put("language", call.languageInEffect());
        return new CallDirectory.Answer(201, out);
    }

    /** In a cluster: RTP calls go to the node with the most free capacity. */
    void placeWith(CallPlacement placement) {
        this.placement = placement;
    }

    private void transcript(String id, Request request, Response response) throws Exception {
        String format = request.getParameter("format");
        if (format == null || format.isEmpty()) format = "json";
        if (!TranscriptFormats.NAMES.contains(format)) {
            HttpJson.error(response, 400, "unknown format '" + format + "'; use one of "
                    + String.join(", ", TranscriptFormats.NAMES));
            return;
        }
        Optional<String> text = transcripts.render(id, format);
        if (text.isEmpty()) {
            HttpJson.error(response, 404, "no transcript of call '" + id + "' (kept while a call runs and for "
                    + "asr.calls.transcript-retention after it ended)");
            return;
        }
        byte[] bytes = text.get().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        response.setStatus(200);
        response.setContentType(TranscriptFormats.contentType(format));
        response.setCharacterEncoding("utf-8");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    private static int statusOf(CallRejectedException e) {
        if (e instanceof CallRejections.AtCapacity) return 503;
        if (e instanceof CallRejections.AlreadyExists) return 409;
        return 400;
    }

    private void list(Request request, Response response) throws Exception {
        List<Object> out = new ArrayList<>();
        for (CallSession c : calls.calls()) out.add(describe(c, request, true));
        out.addAll(directory.remoteCalls());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("calls", out);
        HttpJson.send(response, 200, body);
    }

    /** Every live call of this node as the other nodes list it (captions URLs on {@code base}, this node's URL). */
    List<Map<String, Object>> describeForDirectory(String base) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (CallSession c : calls.calls()) {
            Map<String, Object> m = describe(c, null, false);
            m.put("captionsUrl", (publicUrl != null ? publicUrl : base).replaceFirst("^http", "ws") + PATH + "/" + c.id()
                    + "/captions?token=" + c.token());
            out.add(m);
        }
        return out;
    }

    /** Ends a call of this node for another node's DELETE. */
    CompletableFuture<CallDirectory.Answer> endForDirectory(String id) {
        Optional<CallSession> call = calls.find(id);
        if (call.isEmpty()) return CallDirectory.NONE.endRemote(id);
        return call.get().end("deleted").thenApply(reason -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("callId", id);
            body.put("ended", true);
            body.put("reason", reason);
            body.put("node", node);
            return new CallDirectory.Answer(200, body);
        });
    }

    private void endRemote(String id, Response response) {
        response.suspend(endTimeout.toMillis() + 5000, TimeUnit.MILLISECONDS);
        directory.endRemote(id).whenComplete((answer, error) -> {
            try {
                if (error != null) HttpJson.error(response, 500, "ending call '" + id + "' failed: " + error.getMessage());
                else HttpJson.send(response, answer.status(), answer.body());
            } catch (Exception e) {
                LOG.debug("cannot answer the delete of {}", id, e);
            } finally {
                response.resume();
            }
        });
    }

    private void end(CallSession call, Response response) {
        response.suspend(endTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        CompletableFuture<String> ended = call.end("deleted");
        ended.whenComplete((reason, error) -> {
            try {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("callId", call.id());
                body.put("ended", true);
                body.put("reason", reason);
                HttpJson.send(response, 200, body);
            } catch (Exception e) {
                LOG.debug("could not answer DELETE of call {}", call.id(), e);
            } finally {
                response.resume();
            }
        });
    }

    private Map<String, Object> describe(CallSession c, Request request, boolean withToken) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("callId", c.id());
        m.put("source", c.source());
        m.put("node", node);
        m.put("state", c.isLive() ? "live" : "ending");
        m.put("startedAt", c.startedAt().toString());
        m.put("engine", c.engineName());
        m.put("language", c.languageInEffect());
        m.put("acceleration", c.acceleration() == null ? null : c.acceleration().apiValue());
        List<Map<String, Object>> ps = new ArrayList<>();
        for (ParticipantInfo p : c.participants()) {
            Map<String, Object> pm = new LinkedHashMap<>();
            pm.put("id", p.id());
            pm.put("name", p.name() == null ? p.id() : p.name());
            pm.put("language", p.language() == null ? c.languageInEffect() : p.language());
            pm.put("audioMs", p.audioMillis());
            ps.add(pm);
        }
        m.put("participants", ps);
        m.putAll(c.info());
        if (!c.attributes().isEmpty()) m.put("attributes", c.attributes());
        if (withToken) m.put("captionsUrl", captionsUrl(c, wsBase(request)));
        return m;
    }

    /** ws(s)://host/v1/calls/{id}/captions?token=... on {@code base}. */
    private static String captionsUrl(CallSession c, String base) {
        // Call ids are restricted to characters that are legal in a path segment (CallRegistry).
        return base + PATH + "/" + c.id() + "/captions?token=" + c.token();
    }

    /** ws(s)://host of this server: from asr.server.public-url, else from the request. */
    private String wsBase(Request request) {
        if (publicUrl != null) return publicUrl.replaceFirst("^http", "ws");
        String proto = request.getHeader("X-Forwarded-Proto");
        boolean secure = proto != null ? proto.equalsIgnoreCase("https") : request.isSecure();
        String host = request.getHeader("Host");
        if (host == null) host = request.getLocalName() + ":" + request.getLocalPort();
        return (secure ? "wss://" : "ws://") + host;
    }

    private static String text(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) return null;
        if (!n.isTextual()) throw new IllegalArgumentException("'" + field + "' must be a string");
        return n.asText();
    }

    private static List<String> sorted(Set<String> s) {
        return s.stream().sorted().toList();
    }

    private static void methodNotAllowed(Response response, String allowed) throws Exception {
        response.setHeader("Allow", allowed);
        HttpJson.error(response, 405, "method not allowed; use " + allowed);
    }
}

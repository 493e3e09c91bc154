package org.streamasr.api.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.streamasr.api.ApiError;
import org.streamasr.api.jobs.Job;
import org.streamasr.api.jobs.JobService;
import org.streamasr.api.store.StoreUnavailableException;
import org.streamasr.api.jobs.TranscriptionInput;
import org.streamasr.api.store.LogLine;
import org.streamasr.api.webhook.WebhookDispatcher;
import org.streamasr.runtime.SerialExecutor;

/**
 * fal's queue API ({@code queue.fal.run}): submit at the model path; status, status stream, result and cancel at
 * {@code /requests/{id}} under the app path (fal leaves the endpoint sub-path out there; we accept it too).
 */
final class QueueEndpoints {
    private final Endpoints ctx;

    QueueEndpoints(Endpoints ctx) {
        this.ctx = ctx;
    }

    void submit(HttpExchange ex, String owner) {
        String webhook = ex.query("fal_webhook");
        String priority = ex.header("x-fal-queue-priority");
        boolean low = priority != null && priority.trim().toLowerCase(Locale.ROOT).equals("low");
        ctx.readSubmission(ex, owner, (body, acceptedAt) -> {
            TranscriptionInput input = parseCounted(body);
            if (webhook == null) {
                enqueue(ex, input, owner, low, null, acceptedAt);
                return;
            }
            String syntax = WebhookDispatcher.precheck(webhook);
            if (syntax != null) throw refusedWebhook(webhook, syntax);
            HttpExchange.Action checkThenEnqueue = () -> {
                String why = ctx.webhooks.refusalAtSubmission(webhook);
                if (why != null) {
                    ctx.releaseInline(input.audioUrl());
                    throw refusedWebhook(webhook, why);
                }
                enqueue(ex, input, owner, low, webhook, acceptedAt);
            };
            if (ctx.onStoreCallPool()) {
                checkThenEnqueue.run();   // a thread that may wait: the DNS look-up too
                return;
            }
            // the address rules need DNS: off the network thread
            try {
                ctx.lookups.execute(() -> ex.guard(checkThenEnqueue));
            } catch (RejectedExecutionException e) {
                throw ApiError.plain(503, "runner_scheduling_failure", "too many submissions at once; retry shortly");
            }
        });
    }

    private void enqueue(HttpExchange ex, TranscriptionInput input, String owner, boolean low, String webhook,
                         long acceptedAt) throws ApiError {
        Job job = ctx.jobs.submitQueued(input, owner, low, webhook, acceptedAt);
        String base = ctx.baseUrl(ex);
        ObjectNode o = Endpoints.JSON.createObjectNode();
        o.put("status", "IN_QUEUE");
        o.put("request_id", job.id());
        links(o, base, job.id());
        int position;
        try {
            position = ctx.jobs.positionOfSubmitted(job);
        } catch (StoreUnavailableException e) {
            position = 0;   // accepted and stored: the answer must say so, even without its queue position
        }
        o.put("queue_position", position);
        if (webhook != null) o.put("gateway_request_id", job.id());
        ex.json(200, o, Map.of(Endpoints.REQUEST_ID_HEADER, job.id()));
    }

    /** The 422 of a refused audio_url ({@code url_not_allowed}), located at the query parameter. */
    private ApiError refusedWebhook(String webhook, String why) {
        ctx.metrics.rejected.labelValues("invalid").inc();
        return ApiError.withBody(422, "url_not_allowed", why, webhookError(why, webhook));
    }

    TranscriptionInput parseCounted(com.fasterxml.jackson.databind.JsonNode body) throws ApiError {
        try {
            return TranscriptionInput.parse(body, ctx.engine);
        } catch (ApiError e) {
            ctx.metrics.rejected.labelValues("invalid").inc();
            throw e;
        }
    }

    void status(HttpExchange ex, String owner, String id) throws ApiError {
        JobService.JobStatus s = find(owner, id);
        boolean logs = isTrue(ex.query("logs"));
        int code = s.state() == Job.State.COMPLETED ? 200 : 202;
        ex.json(code, statusJson(s, ctx.baseUrl(ex), logs), Map.of(Endpoints.REQUEST_ID_HEADER, id));
    }

    /** SSE: the current status, then one event per change, ending with COMPLETED. Leaving does not cancel. */
    void statusStream(HttpExchange ex, String owner, String id) throws ApiError {
        find(owner, id);
        boolean logs = isTrue(ex.query("logs"));
        String base = ctx.baseUrl(ex);
        AtomicReference<Runnable> unsubscribe = new AtomicReference<>(() -> { });
        SseStream sse = ctx.sse(ex, Map.of(Endpoints.REQUEST_ID_HEADER, id), () -> unsubscribe.get().run());
        if (!sse.start()) return;
        AtomicReference<String> lastJson = new AtomicReference<>();
        AtomicReference<Job.State> lastState = new AtomicReference<>();
        AtomicBoolean pending = new AtomicBoolean();
        AtomicBoolean ended = new AtomicBoolean();
        Runnable push = () -> {
            pending.set(false);
            if (ended.get()) return;
            JobService.JobStatus s = ctx.jobs.status(id, owner);
            if (s == null) {
                ended.set(true);
                unsubscribe.get().run();
                sse.finish();
                return;
            }
            String json = statusJson(s, base, logs).toString();
            if (json.equals(lastJson.getAndSet(json))) return;
            Job.State before = lastState.getAndSet(s.state());
            if (s.state() == Job.State.COMPLETED) {
                ended.set(true);
                unsubscribe.get().run();
                if (before == Job.State.IN_QUEUE && ranBriefly(s)) {
                    // it started and finished between two looks (a short request): the stream still shows each
                    // state it went through, as fal's does
                    sse.offer(statusJson(new JobService.JobStatus(s.id(), Job.State.IN_PROGRESS, 0, s.logs(), null,
                            s.webhookState()), base, logs).toString());
                }
                sse.finish(json);
            } else if (before != s.state()) {
                sse.offer(json);
            } else {
                sse.offerLatest(json);
            }
        };
        // one look at a time, in order (the pool has many threads); at most one waiting behind it
        SerialExecutor looks = new SerialExecutor(ctx.statusReads(), 2, 1, SerialExecutor.WhenPoolRefuses.REFUSE,
                (task, t) -> ctx.errors.report("status stream of " + id, t));
        Runnable[] trigger = new Runnable[1];
        trigger[0] = () -> {
            if (!pending.compareAndSet(false, true)) return;
            if (!looks.offer(() -> ex.guard(push::run))) {
                // the store-call pool is full: look again shortly rather than miss a change
                pending.set(false);
                try {
                    if (!ended.get()) ctx.events.schedule(trigger[0], 1, TimeUnit.SECONDS);
                } catch (RejectedExecutionException closing) {
                    // shutting down: the stream is ended by the API's close
                }
            }
        };
        unsubscribe.set(ctx.jobs.subscribe(id, trigger[0]));
        trigger[0].run();
    }

    void result(HttpExchange ex, String owner, String id) throws ApiError {
        JobService.JobStatus s = find(owner, id);
        if (s.state() != Job.State.COMPLETED) {
            throw ApiError.plain(400, "request_in_progress", "Request is still in progress (" + s.state()
                    + "); poll its status_url and fetch the result when it is COMPLETED");
        }
        Map<String, String> headers = s.outcome().ok() ? Map.of(Endpoints.REQUEST_ID_HEADER, id)
                : Map.of(Endpoints.REQUEST_ID_HEADER, id, "X-Fal-Error-Type", s.outcome().errorType());
        ex.rawJson(s.outcome().status(), s.outcome().bodyJson(), headers);
    }

    void cancel(HttpExchange ex, String owner, String id) {
        JobService.CancelResult r = ctx.jobs.cancel(id, owner);
        ObjectNode o = Endpoints.JSON.createObjectNode();
        o.put("status", r.name());
        switch (r) {
            case CANCELLATION_REQUESTED:
                ex.json(202, o);
                break;
            case ALREADY_COMPLETED:
                o.put("detail", "the request already completed");
                ex.json(400, o);
                break;
            default:
                o.put("detail", "Request not found");
                ex.json(404, o);
                break;
        }
    }

    private JobService.JobStatus find(String owner, String id) throws ApiError {
        JobService.JobStatus s = ctx.jobs.status(id, owner);
        if (s == null) throw Endpoints.notFound("Request not found: no request '" + id + "' for this key");
        return s;
    }

    /** A completed request that ran (a worker spent time on it), not one cancelled while it waited in the queue. */
    private static boolean ranBriefly(JobService.JobStatus s) {
        return s.outcome() != null && s.outcome().inferenceSeconds() > 0;
    }

    ObjectNode statusJson(JobService.JobStatus s, String base, boolean withLogs) {
        ObjectNode o = Endpoints.JSON.createObjectNode();
        o.put("status", s.state().name());
        o.put("request_id", s.id());
        links(o, base, s.id());
        if (s.state() == Job.State.IN_QUEUE) o.put("queue_position", Math.max(0, s.queuePosition()));
        if (withLogs) {
            ArrayNode logs = o.putArray("logs");
            for (LogLine l : s.logs()) {
                ObjectNode line = logs.addObject();
                line.put("timestamp", l.timestamp());
                line.put("level", l.level());
                line.put("source", l.source());
                line.put("message", l.message());
            }
        } else {
            o.putNull("logs");
        }
        if (s.webhookState() != null) {
            int colon = s.webhookState().indexOf(": ");
            ObjectNode hook = o.putObject("webhook");
            hook.put("status", colon < 0 ? s.webhookState() : s.webhookState().substring(0, colon));
            if (colon >= 0) hook.put("error", s.webhookState().substring(colon + 2));
        }
        if (s.state() == Job.State.COMPLETED && s.outcome() != null) {
            o.putObject("metrics").put("inference_time", s.outcome().inferenceSeconds());
            if (!s.outcome().ok()) {
                o.put("error", s.outcome().error());
                o.put("error_type", s.outcome().errorType());
            }
        }
        return o;
    }

    private static void links(ObjectNode o, String base, String id) {
        String response = base + "/queue/" + Endpoints.APP + "/requests/" + id;
        o.put("response_url", response);
        o.put("status_url", response + "/status");
        o.put("cancel_url", response + "/cancel");
    }

    private static ObjectNode webhookError(String why, String url) {
        ObjectNode body = Endpoints.JSON.createObjectNode();
        ObjectNode d = body.putArray("detail").addObject();
        d.putArray("loc").add("query").add("fal_webhook");
        d.put("msg", why);
        d.put("type", "url_not_allowed");
        d.put("input", url.length() > 200 ? url.substring(0, 200) + "..." : url);
        body.put("error_type", "url_not_allowed");
        return body;
    }

    private static boolean isTrue(String v) {
        return v != null && (v.equals("1") || v.equalsIgnoreCase("true"));
    }
}

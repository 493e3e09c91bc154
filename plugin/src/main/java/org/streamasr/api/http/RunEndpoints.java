package org.streamasr.api.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.streamasr.api.ApiError;
import org.streamasr.api.jobs.Job;
import org.streamasr.api.jobs.JobObserver;
import org.streamasr.api.jobs.JobService;
import org.streamasr.api.jobs.TranscriptionInput;
import org.streamasr.api.store.Outcome;

/**
 * fal's direct endpoints ({@code fal.run}): the sync call answers with the result once it is ready; the streaming
 * call ({@code /stream}) answers with server-sent events {@code {output, partial: true}} as the transcript grows and
 * a last {@code {output, partial: false}}. Both go through the same queue and workers as queue requests; a client
 * that disconnects cancels its request.
 */
final class RunEndpoints {
    private final Endpoints ctx;
    private final QueueEndpoints queue;

    RunEndpoints(Endpoints ctx, QueueEndpoints queue) {
        this.ctx = ctx;
        this.queue = queue;
    }

    void sync(HttpExchange ex, String owner) {
        ctx.readJson(ex, owner, body -> {
            TranscriptionInput input = queue.parseCounted(body);
            String id = JobService.newRequestId();
            AtomicReference<Job> job = new AtomicReference<>();
            AtomicReference<ScheduledFuture<?>> timer = new AtomicReference<>();
            ex.onClientGone(() -> stop(job.get(), Job.StopReason.CANCELLED));
            JobObserver observer = new JobObserver() {
                @Override
                public void onCompleted(Job j, Outcome o) {
                    ScheduledFuture<?> t = timer.get();
                    if (t != null) t.cancel(false);
                    Map<String, String> headers = o.ok() ? Map.of(Endpoints.REQUEST_ID_HEADER, j.id())
                            : Map.of(Endpoints.REQUEST_ID_HEADER, j.id(), "X-Fal-Error-Type", o.errorType());
                    ex.rawJson(o.status(), o.bodyJson(), headers);
                }
            };
            job.set(ctx.jobs.startEphemeral(id, Job.Kind.SYNC, input, owner, observer));
            timer.set(ctx.events.schedule(() -> stop(job.get(), Job.StopReason.TIMEOUT),
                    ctx.config.syncTimeout().toMillis(), TimeUnit.MILLISECONDS));
        });
    }

    void stream(HttpExchange ex, String owner) {
        ctx.readJson(ex, owner, body -> {
            TranscriptionInput input = queue.parseCounted(body);
            String id = JobService.newRequestId();
            AtomicReference<Job> job = new AtomicReference<>();
            SseStream sse = ctx.sse(ex, Map.of(Endpoints.REQUEST_ID_HEADER, id),
                    () -> stop(job.get(), Job.StopReason.CANCELLED));
            if (!sse.start()) return;
            JobObserver observer = new JobObserver() {
                @Override
                public void onPartial(Job j, String output) {
                    sse.offerLatest(event(output, true));
                }

                @Override
                public void onCompleted(Job j, Outcome o) {
                    if (o.ok()) {
                        sse.finish(o.bodyJson());
                    } else {
                        sse.fail(toError(o));
                    }
                }
            };
            try {
                job.set(ctx.jobs.startEphemeral(id, Job.Kind.STREAM, input, owner, observer));
            } catch (ApiError e) {
                sse.fail(e);
            }
        });
    }

    private void stop(Job job, Job.StopReason reason) {
        if (job != null) ctx.jobs.stop(job, reason);
    }

    private static String event(String output, boolean partial) {
        ObjectNode o = Endpoints.JSON.createObjectNode();
        o.put("output", output);
        o.put("partial", partial);
        return o.toString();
    }

    private static ApiError toError(Outcome o) {
        ObjectNode body;
        try {
            body = (ObjectNode) Endpoints.JSON.readTree(o.bodyJson());
        } catch (JsonProcessingException | ClassCastException e) {
            body = Endpoints.JSON.createObjectNode().put("detail", o.error()).put("error_type", o.errorType());
        }
        return ApiError.withBody(o.status(), o.errorType(), o.error(), body);
    }
}

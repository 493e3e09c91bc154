package org.streamasr.transcripts;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamasr.media.TranscriptEvent;
import org.streamasr.runtime.ExecutorShutdown;
import org.streamasr.runtime.NamedThreads;
import org.streamasr.stream.CallEvents;
import org.streamasr.stream.CallSession;

/**
 * Keeps every call's transcript (its finals, per speaker) in a {@link TranscriptStore} while the call runs and for
 * {@code asr.calls.transcript-retention} after it ended, and POSTs it to the call's transcript webhook at the end.
 *
 * <p>Hangs off the call lifecycle events: finals arrive in order per call on the event threads and are put in the
 * store there (in memory); the writes to disk, the end of a call and the retention sweep run on this class's one
 * "asr-transcripts" thread, so no event thread waits on a disk.
 */
public final class CallTranscripts implements CallEvents, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CallTranscripts.class);
    static final long FLUSH_PERIOD_MILLIS = 2_000;

    /**
     * A running call: its record, the index of its next segment, and where each participant's media clock (which
     * starts with the participant's stream) sits on the call's clock.
     */
    private static final class Live {
        volatile CallTranscriptRecord record;
        final AtomicInteger next = new AtomicInteger();
        final Map<String, Long> offsetMs = new ConcurrentHashMap<>();

        Live(CallTranscriptRecord record) {
            this.record = record;
        }
    }

    private final TranscriptsConfig config;
    private final LongSupplier clock;
    private final ThreadPoolExecutor writer;
    private final Map<String, Live> live = new ConcurrentHashMap<>();
    private final AtomicBoolean dirty = new AtomicBoolean();
    private volatile TranscriptStore store = new InMemoryTranscripts();
    private volatile TranscriptWebhooks webhooks;

    public CallTranscripts(TranscriptsConfig config, LongSupplier clock) {
        this.config = config;
        this.clock = clock;
        this.writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                NamedThreads.single("asr-transcripts", true));
    }

    /**
     * Moves to a durable store (the hosted API's, once it is open) and the webhook sender, before any call starts.
     * Transcripts a previous run left open (it stopped without ending its calls) are closed as "interrupted".
     */
    public void attach(TranscriptStore durable, TranscriptWebhooks sender) {
        attach(durable, sender, false);
    }

    /**
     * As {@link #attach(TranscriptStore, TranscriptWebhooks)}; with {@code shared} (a cluster's store, which other
     * live nodes write too) open records are left alone: they may be calls another node holds now.
     */
    public void attach(TranscriptStore durable, TranscriptWebhooks sender, boolean shared) {
        this.store = durable;
        this.webhooks = sender;
        if (shared) return;
        int interrupted = 0;
        for (String id : durable.callIds()) {
            CallTranscriptRecord r = durable.get(id);
            if (r != null && !r.ended() && !live.containsKey(id)) {
                durable.put(r.withEnd(clock.getAsLong(), "interrupted"));
                interrupted++;
            }
        }
        durable.flush();
        if (interrupted > 0) LOG.info("call transcripts: {} left open by the last run closed as interrupted", interrupted);
    }

    /** Whether ending calls can POST their transcripts (the hosted API's webhook sender is there). */
    public boolean canSendWebhooks() {
        return webhooks != null;
    }

    /** Starts the periodic disk writes and the retention sweep on {@code timers}. */
    public void start(java.util.concurrent.ScheduledExecutorService timers) {
        timers.scheduleWithFixedDelay(() -> onWriter(this::flushIfDirty), FLUSH_PERIOD_MILLIS, FLUSH_PERIOD_MILLIS,
                TimeUnit.MILLISECONDS);
        long sweep = Math.max(1_000, Math.min(TimeUnit.MINUTES.toMillis(10), config.retention().toMillis() / 4));
        timers.scheduleWithFixedDelay(() -> onWriter(this::sweep), sweep, sweep, TimeUnit.MILLISECONDS);
    }

    /** Sets where a running call's transcript goes when it ends (POST /v1/calls {"transcriptWebhook"}). */
    public boolean setWebhook(String callId, String url) {
        Live l = live.get(callId);
        if (l == null) return false;
        l.record = l.record.withWebhook(url);
        store.put(l.record);
        dirty.set(true);
        return true;
    }

    /** The transcript of a running call, or of an ended one still within the retention. */
    public Optional<String> render(String callId, String format) {
        TranscriptStore s = store;
        CallTranscriptRecord r = s.get(callId);
        if (r == null) return Optional.empty();
        return Optional.of(TranscriptFormats.render(format, r, s.segments(callId)));
    }

    @Override
    public void callStarted(CallSession call) {
        CallTranscriptRecord r = new CallTranscriptRecord(call.id(), call.source(), call.engineName(), call.language(),
                call.startedAt().toEpochMilli(), 0, null, config.defaultWebhook(), 0);
        live.put(call.id(), new Live(r));
        TranscriptStore s = store;
        s.remove(call.id()); // a call id used again: the new call's transcript replaces the old one
        s.put(r);
        dirty.set(true);
    }

    @Override
    public void streamOpened(CallSession call, String participantId) {
        Live l = live.get(call.id());
        if (l != null) l.offsetMs.put(participantId, Math.max(0, clock.getAsLong() - l.record.startedAtMillis()));
    }

    @Override
    public void transcript(CallSession call, TranscriptEvent event, long latencyNanos) {
        if (!event.isFinal() || event.text().isBlank()) return;
        Live l = live.get(call.id());
        if (l == null) return;
        long offset = l.offsetMs.getOrDefault(event.participantId(), 0L);
        List<TranscriptSegment.Word> words = new ArrayList<>(event.words().size());
        for (TranscriptEvent.WordTiming w : event.words()) {
            words.add(new TranscriptSegment.Word(w.word(), offset + w.startMs(), offset + w.endMs()));
        }
        String name = event.participantName() == null ? event.participantId() : event.participantName();
        store.putSegment(call.id(), l.next.getAndIncrement(), new TranscriptSegment(event.participantId(), name,
                event.language(), offset + event.startMs(), offset + event.endMs(), event.text(), words));
        dirty.set(true);
    }

    @Override
    public void callEnded(CallSession call, String reason, Duration duration) {
        Live l = live.remove(call.id());
        if (l == null) return;
        CallTranscriptRecord ended = l.record.withSegments(l.next.get()).withEnd(clock.getAsLong(), reason);
        onWriter(() -> finish(ended));
    }

    private void finish(CallTranscriptRecord r) {
        TranscriptStore s = store;
        s.put(r);
        TranscriptWebhooks sender = webhooks;
        if (r.webhookUrl() != null && sender != null) {
            var body = TranscriptFormats.json(r, s.segments(r.callId()));
            body.put("event", "call.transcript");
            sender.send("call-transcript-" + r.callId() + "-" + r.startedAtMillis(), r.webhookUrl(), body.toString());
        }
        dirty.set(false);
        s.flush();
    }

    private void flushIfDirty() {
        if (dirty.getAndSet(false)) store.flush();
    }

    /** Drops the transcripts of calls that ended more than the retention ago. */
    void sweep() {
        TranscriptStore s = store;
        long cutoff = clock.getAsLong() - config.retention().toMillis();
        int n = 0;
        for (String id : s.callIds()) {
            CallTranscriptRecord r = s.get(id);
            if (r != null && r.ended() && r.endedAtMillis() < cutoff && !live.containsKey(id)) {
                s.remove(id);
                n++;
            }
        }
        if (n > 0) {
            s.flush();
            LOG.info("call transcripts: {} past the retention of {} deleted", n, config.retention());
        }
    }

    private void onWriter(Runnable task) {
        try {
            writer.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.warn("call transcripts: {}", e.toString(), e);
                }
            });
        } catch (RejectedExecutionException e) {
            // closed: the store is being closed too
        }
    }

    /** Runs the writes still queued (the last calls' ends) and stops; call before the store closes. */
    @Override
    public void close() {
        onWriter(this::flushIfDirty);
        ExecutorShutdown.drain(writer, Duration.ofSeconds(10), "call transcripts writer", LOG);
    }
}

package org.streamasr.api.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.streamasr.api.ApiError;
import org.streamasr.api.jobs.EphemeralAudio;
import org.streamasr.api.jobs.Job;
import org.streamasr.api.jobs.JobObserver;
import org.streamasr.api.jobs.JobService;
import org.streamasr.api.jobs.TranscriptionInput;
import org.streamasr.api.store.Outcome;
import org.streamasr.apis.FileTranscript;
import org.streamasr.engine.Acceleration;
import org.streamasr.engine.Utterance;

/**
 * Runs one request of an outside REST API (OpenAI, Deepgram pre-recorded) as an ephemeral job on the hosted API's
 * queue and workers (the same fetch, SSRF checks, ffmpeg decode, limits and engine feed as fal's requests), and
 * collects the finals into a {@link FileTranscript}. Like fal's sync call, it is bounded by
 * {@code asr.api.sync-timeout} and a client that disconnects cancels it.
 */
final class FileTranscriptJob implements JobObserver {
    /** How the request ended: a transcript, or the failed outcome (fal-shaped; callers reshape it). */
    interface Done {
        void completed(FileTranscript transcript, Outcome failure);
    }

    private final List<Utterance> finals = new ArrayList<>();
    private final Consumer<Utterance> onUtterance;
    private final Done done;
    private final String language;
    private final AtomicReference<ScheduledFuture<?>> timer = new AtomicReference<>();
    private volatile long samples;
    private volatile String sha256;

    private FileTranscriptJob(String language, Consumer<Utterance> onUtterance, Done done) {
        this.language = language;
        this.onUtterance = onUtterance;
        this.done = done;
    }

    /**
     * @param audioUrl    a URL to fetch (Deepgram's {@code {"url"}}), or a label when {@code audio.bytes()} is set
     * @param language    the resolved locale, or null for the engine's default
     * @param onUtterance each final as it comes (streaming answers), or a no-op
     * @throws ApiError 429 when the queue is full, 503 when shutting down
     */
    static void start(Endpoints ctx, HttpExchange ex, String owner, String audioUrl, String language,
                      EphemeralAudio audio, Consumer<Utterance> onUtterance, Done done) throws ApiError {
        FileTranscriptJob observer = new FileTranscriptJob(language, onUtterance, done);
        TranscriptionInput input = new TranscriptionInput(audioUrl, language, Acceleration.REGULAR);
        AtomicReference<Job> job = new AtomicReference<>();
        ex.onClientGone(() -> stop(ctx, job.get(), Job.StopReason.CANCELLED));
        job.set(ctx.jobs.startEphemeral(JobService.newRequestId(), input, owner, observer, audio));
        observer.timer.set(ctx.events.schedule(() -> stop(ctx, job.get(), Job.StopReason.TIMEOUT),
                ctx.config.syncTimeout().toMillis(), TimeUnit.MILLISECONDS));
    }

    private static void stop(Endpoints ctx, Job job, Job.StopReason reason) {
        if (job != null) ctx.jobs.stop(job, reason);
    }

    @Override
    public void onAudioDecoded(Job job, Path audioFile, long decodedSamples) {
        samples = decodedSamples;
        sha256 = sha256(audioFile);
    }

    @Override
    public void onUtterance(Job job, Utterance utterance) {
        synchronized (finals) {
            finals.add(utterance);
        }
        onUtterance.accept(utterance);
    }

    @Override
    public void onCompleted(Job job, Outcome outcome) {
        ScheduledFuture<?> t = timer.get();
        if (t != null) t.cancel(false);
        if (!outcome.ok()) {
            done.completed(null, outcome);
            return;
        }
        List<Utterance> copy;
        synchronized (finals) {
            copy = List.copyOf(finals);
        }
        done.completed(FileTranscript.of(copy, samples, sha256, language), null);
    }

    private static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException | NoSuchAlgorithmException e) {
            return null;
        }
    }
}

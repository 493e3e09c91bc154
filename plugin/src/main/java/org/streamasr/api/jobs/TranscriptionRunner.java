package org.streamasr.api.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.streamasr.api.ApiError;
import org.streamasr.api.ApiMetrics;
import org.streamasr.api.ErrorLog;
import org.streamasr.api.fetch.AudioFetcher;
import org.streamasr.api.fetch.FetchException;
import org.streamasr.api.store.Outcome;
import org.streamasr.audio.AudioFileDecoder;
import org.streamasr.audio.AudioTooLongException;
import org.streamasr.audio.DecodedAudioStream;
import org.streamasr.audio.UndecodableAudioException;
import org.streamasr.engine.RecognitionException;
import org.streamasr.engine.RecognitionListener;
import org.streamasr.engine.RecognitionStream;
import org.streamasr.engine.SpeechEngine;
import org.streamasr.engine.StreamSpec;
import org.streamasr.engine.UnsupportedSettingException;
import org.streamasr.engine.Utterance;

/**
 * Runs one request on the calling worker thread: fetch the audio, decode it to 16 kHz mono straight into an engine
 * stream, without dropping (decoded audio is never kept, in memory or on disk), and collect the transcript. Progress goes to
 * the job's log ("decoded 12.0 s of audio", "transcribed 40%"), partial transcripts to its observer. Every failure
 * becomes an {@link Outcome} in fal's error shapes; a stop request becomes {@link JobStoppedException}.
 */
public final class TranscriptionRunner {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CHUNK_SAMPLES = AudioFileDecoder.SAMPLE_RATE / 2;
    private static final long PROGRESS_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final SpeechEngine engine;
    private final AudioFetcher fetcher;
    private final AudioFileDecoder decoder;
    private final Path tempDir;
    private final ApiMetrics metrics;
    private final ErrorLog errors;

    public TranscriptionRunner(SpeechEngine engine, AudioFetcher fetcher, AudioFileDecoder decoder, Path tempDir,
                               ApiMetrics metrics, ErrorLog errors) {
        this.engine = engine;
        this.fetcher = fetcher;
        this.decoder = decoder;
        this.tempDir = tempDir;
        this.metrics = metrics;
        this.errors = errors;
    }

    /**
     * Runs {@code job} to its outcome; {@code deadlineNanos} bounds the wait for the engine's last results. Inline
     * audio kept for the request is dropped once it ran, unless a shutdown stopped a queue request that will run again.
     */
    Outcome run(Job job, long deadlineNanos) throws JobStoppedException {
        try {
            Outcome o = attempt(job, deadlineNanos);
            fetcher.release(job.input().audioUrl());
            return o;
        } catch (JobStoppedException e) {
            if (e.reason() != Job.StopReason.SHUTDOWN || job.kind() != Job.Kind.QUEUE) fetcher.release(job.input().audioUrl());
            throw e;
        }
    }

    private Outcome attempt(Job job, long deadlineNanos) throws JobStoppedException {
        long t0 = System.nanoTime();
        AudioFetcher.Fetched fetched = null;
        try {
            EphemeralAudio inline = job.ephemeral();
            if (inline != null && inline.bytes() != null) {
                Path upload = Files.createTempFile(tempDir, "upload-", ".audio");
                Files.write(upload, inline.bytes());
                fetched = new AudioFetcher.Fetched(upload, true, inline.bytes().length, "request body");
            } else {
                job.log("INFO", "fetching audio");
                fetched = fetcher.fetch(job.input().audioUrl(), job::setAbortable);
            }
            stopIfAsked(job);
            job.log("INFO", "received " + fetched.bytes() + " bytes of audio (" + fetched.source() + ")");
            job.enterInterruptible();
            try (DecodedAudioStream audio = decoder.open(fetched.file())) {
                job.setAbortable(audio);
                if (audio.statedSamples() >= 0) {
                    job.log("INFO", String.format(Locale.ROOT, "decoding %.1f s of audio",
                            audio.statedSamples() / (double) AudioFileDecoder.SAMPLE_RATE));
                }
                String text = recognise(job, audio, fetched.file(), deadlineNanos);
                ObjectNode body = JSON.createObjectNode();
                body.put("output", text);
                body.put("partial", false);
                return new Outcome(200, body.toString(), null, null, seconds(t0));
            } finally {
                job.leaveInterruptible();
            }
        } catch (FetchException e) {
            stopIfAsked(job);
            if (e.kind() == FetchException.Kind.REFUSED) metrics.urlsRefused.inc();
            return failure(fetchError(e), t0);
        } catch (AudioTooLongException e) {
            return failure(ApiError.field(413, "audio_url", e.getMessage() + " (asr.api.limits.max-audio-duration)",
                    "audio_duration_too_long"), t0);
        } catch (UndecodableAudioException e) {
            stopIfAsked(job);
            return failure(ApiError.field(400, "audio_url", e.getMessage(), "audio_decode_error"), t0);
        } catch (UnsupportedSettingException e) {
            return failure(ApiError.field(422, e.setting(), e.getMessage(), "unsupported_value"), t0);
        } catch (RecognitionException e) {
            stopIfAsked(job);
            String id = errors.report("recognition of request " + job.id(), e);
            return failure(ApiError.plain(500, "runner_server_error", "speech recognition failed (error id " + id + ")"), t0);
        } catch (InterruptedException | IOException | RuntimeException e) {
            stopIfAsked(job);
            String id = errors.report("request " + job.id(), e);
            return failure(ApiError.plain(500, "internal_error", "internal error (error id " + id + ")"), t0);
        } finally {
            job.setAbortable(null);
            if (fetched != null && fetched.temporary()) deleteQuietly(fetched.file());
        }
    }

    /**
     * Feeds the audio to an engine stream as it is decoded (nothing decoded is kept) and collects the transcript.
     * Progress is logged in tenths of the duration the container states; without one, only the end is logged.
     */
    private String recognise(Job job, DecodedAudioStream audio, Path audioFile, long deadlineNanos)
            throws UnsupportedSettingException, RecognitionException, IOException, InterruptedException,
            JobStoppedException, UndecodableAudioException {
        TranscriptCollector collector = new TranscriptCollector(text -> job.observer().onPartial(job, text),
                u -> job.observer().onUtterance(job, u));
        TranscriptionInput in = job.input();
        long totalSamples = audio.statedSamples();
        SpeechEngine engine = job.ephemeral() != null && job.ephemeral().engine() != null ? job.ephemeral().engine()
                : this.engine;
        try (RecognitionStream stream = engine.openStream(
                StreamSpec.file(in.language(), in.acceleration(), "api/" + job.id()), collector)) {
            float[] samples = new float[CHUNK_SAMPLES];
            long fed = 0;
            int nextTenth = 1;
            while (true) {
                int n = 0;
                while (n < samples.length) {
                    int r = audio.read(samples, n, samples.length - n);
                    if (r < 0) break;
                    n += r;
                }
                if (n == 0) break;
                stream.acceptAwaiting(samples, 0, n);
                fed += n;
                collector.throwIfFailed();
                if (totalSamples > 0) nextTenth = logProgress(job, fed - stream.pendingSamples(), totalSamples, nextTenth);
            }
            job.log("INFO", String.format(Locale.ROOT, "decoded %.1f s of audio", fed / (double) AudioFileDecoder.SAMPLE_RATE));
            job.observer().onAudioDecoded(job, audioFile, fed);
            if (totalSamples <= 0 || fed > totalSamples) totalSamples = fed;
            stream.finish();
            // the engine may hold seconds of audio still: report its progress while waiting for the last results
            while (!collector.finished.await(Math.min(PROGRESS_POLL_NANOS, Math.max(0, deadlineNanos - System.nanoTime())),
                    TimeUnit.NANOSECONDS)) {
                if (System.nanoTime() >= deadlineNanos) throw new JobStoppedException(Job.StopReason.TIMEOUT);
                nextTenth = logProgress(job, fed - stream.pendingSamples(), totalSamples, nextTenth);
            }
            collector.throwIfFailed();
            job.log("INFO", "transcribed 100%");
            metrics.audioSeconds.inc(fed / (double) AudioFileDecoder.SAMPLE_RATE);
            return collector.text();
        }
    }

    /** Logs "transcribed N%" for each tenth reached; returns the next tenth to report. */
    private static int logProgress(Job job, long doneSamples, long totalSamples, int nextTenth) {
        long done = Math.max(0, doneSamples);
        while (nextTenth < 10 && done * 10 >= totalSamples * nextTenth) {
            job.log("INFO", "transcribed " + nextTenth * 10 + "%");
            nextTenth++;
        }
        return nextTenth;
    }

    /** The API error of a failed fetch (shared with data URIs decoded while a request body is read). */
    public static ApiError fetchError(FetchException e) {
        switch (e.kind()) {
            case REFUSED:
                return ApiError.field(422, "audio_url", e.getMessage(), "url_not_allowed");
            case TOO_LARGE:
                return ApiError.field(413, "audio_url", e.getMessage(), "file_too_large");
            case BAD_DATA_URI:
                return ApiError.field(422, "audio_url", e.getMessage(), "invalid_data_uri");
            default:
                return ApiError.field(422, "audio_url", e.getMessage(), "file_download_error");
        }
    }

    private static Outcome failure(ApiError e, long t0) {
        return Outcomes.failure(e, seconds(t0));
    }

    private static void stopIfAsked(Job job) throws JobStoppedException {
        Job.StopReason r = job.stopReason();
        if (r != null) throw new JobStoppedException(r);
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void deleteQuietly(Path p) {
        if (p == null) return;
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a temp file left behind is removed at the next start
        }
    }

    /** Joins finals and the open partial into the transcript so far. */
    static final class TranscriptCollector implements RecognitionListener {
        private final Consumer<String> onChange;
        private final Consumer<Utterance> onFinal;
        private final StringBuilder finals = new StringBuilder();
        private String partial = "";
        private volatile RecognitionException error;
        final CountDownLatch finished = new CountDownLatch(1);

        TranscriptCollector(Consumer<String> onChange) {
            this(onChange, u -> { });
        }

        TranscriptCollector(Consumer<String> onChange, Consumer<Utterance> onFinal) {
            this.onChange = onChange;
            this.onFinal = onFinal;
        }

        @Override
        public void onPartial(Utterance u) {
            String now;
            synchronized (this) {
                partial = u.text().strip();
                now = current();
            }
            onChange.accept(now);
        }

        @Override
        public void onFinal(Utterance u) {
            String now;
            synchronized (this) {
                String t = u.text().strip();
                if (!t.isEmpty()) {
                    if (finals.length() > 0) finals.append(' ');
                    finals.append(t);
                }
                partial = "";
                now = current();
            }
            onFinal.accept(u);
            onChange.accept(now);
        }

        @Override
        public void onError(RecognitionException e) {
            error = e;
        }

        @Override
        public void onFinished() {
            finished.countDown();
        }

        void throwIfFailed() throws RecognitionException {
            RecognitionException e = error;
            if (e != null) throw e;
        }

        synchronized String text() {
            return finals.toString();
        }

        private String current() {
            if (partial.isEmpty()) return finals.toString();
            return finals.length() == 0 ? partial : finals + " " + partial;
        }
    }
}

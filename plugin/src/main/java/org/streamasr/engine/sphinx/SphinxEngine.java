package org.streamasr.engine.sphinx;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamasr.runtime.ExecutorShutdown;
import org.streamasr.runtime.NamedThreads;
import org.streamasr.engine.Acceleration;
import org.streamasr.engine.ApiLanguages;
import org.streamasr.engine.EngineConfig;
import org.streamasr.engine.ModelContractException;
import org.streamasr.engine.RecognitionException;
import org.streamasr.engine.RecognitionListener;
import org.streamasr.engine.RecognitionStream;
import org.streamasr.engine.SpeechEngine;
import org.streamasr.engine.StreamSpec;
import org.streamasr.engine.UnsupportedSettingException;
import org.streamasr.runtime.DropCounter;

/**
 * The built-in English recogniser: CMU pocketsphinx (Debian's libpocketsphinx3 and pocketsphinx-en-us) through
 * JNA. Works on a fresh machine without model downloads, so it is the default engine and the recogniser of the
 * end-to-end tests on recorded speech.
 *
 * <p>Each stream gets its own native decoder (decoders are not thread-safe, and a fresh one makes a stream's result
 * independent of other calls: pocketsphinx adapts its cepstral mean within a decoder). Decoders are created on first
 * audio and run on a fixed pool of named worker threads; a stream's work is a serial task, never a thread of its own.
 *
 * <p>Endpoints come from pocketsphinx's own voice activity detector: an utterance ends after
 * {@code endpoint-trailing-silence} of non-speech (its {@code -vad_postspeech}) or at {@code max-utterance}.
 * Acceleration modes are all accepted; they set how often partial hypotheses are sent (the mode's chunk size).
 *
 * <p>Memory: a decoder holds its own search structures for the 134k-word dictionary, about 90 MB of native memory,
 * for as long as its stream runs; {@code sphinx.max-streams} caps how many exist at once (a stream beyond the cap
 * ends with {@link RecognitionListener#onError} saying so).
 *
 * <p>Settings in {@link EngineConfig#extra()} ({@code asr.engine.sphinx.*} in reference.conf): {@code sphinx.hmm},
 * {@code sphinx.lm}, {@code sphinx.dict} (model files, default Debian's en-us model), {@code sphinx.workers}
 * (decoder threads, 0 = one per core) and {@code sphinx.max-streams} (concurrent decoders, default 32).
 */
public final class SphinxEngine implements SpeechEngine {
    public static final String NAME = "sphinx";
    static final Path DEFAULT_MODEL_DIR = Path.of("/usr/share/pocketsphinx/model/en-us");
    private static final Set<String> LANGUAGES = Set.of(ApiLanguages.AUTO, "en-US");
    private static final Logger log = LoggerFactory.getLogger(SphinxEngine.class);
    private static final AtomicInteger ENGINE_SEQ = new AtomicInteger();

    private final SphinxNative lib;
    private final List<String> decoderArgs;
    private final EngineConfig options;
    private final ThreadPoolExecutor workers;
    private final Set<SphinxStream> streams = ConcurrentHashMap.newKeySet();
    private final Map<String, Boolean> loggedErrors = new ConcurrentHashMap<>();
    private final AtomicLong streamSeq = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicInteger liveDecoders = new AtomicInteger();
    private final int maxDecoders;
    private final DropCounter drops = new DropCounter("sphinx");
    private final String defaultLanguage;
    private volatile boolean closed;

    private SphinxEngine(SphinxNative lib, List<String> decoderArgs, EngineConfig options, int workerCount, int maxDecoders) {
        this.lib = lib;
        this.maxDecoders = maxDecoders;
        this.decoderArgs = List.copyOf(decoderArgs);
        this.options = options;
        int engineNo = ENGINE_SEQ.incrementAndGet();
        this.workers = new ThreadPoolExecutor(workerCount, workerCount, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                NamedThreads.factory("sphinx-" + engineNo + "-worker", true));
        String dl = ApiLanguages.canonical(options.defaultLanguage());
        this.defaultLanguage = dl != null && LANGUAGES.contains(dl) ? dl : ApiLanguages.AUTO;
    }

    /**
     * Loads pocketsphinx, checks the model files and opens (and frees) one decoder so that a broken installation
     * fails here, with a message saying what to install, rather than on the first call.
     */
    public static SphinxEngine open(EngineConfig options) {
        Map<String, String> extra = options.extra();
        Path hmm = Path.of(extra.getOrDefault("sphinx.hmm", DEFAULT_MODEL_DIR.resolve("en-us").toString()));
        Path lm = Path.of(extra.getOrDefault("sphinx.lm", DEFAULT_MODEL_DIR.resolve("en-us.lm.bin").toString()));
        Path dict = Path.of(extra.getOrDefault("sphinx.dict", DEFAULT_MODEL_DIR.resolve("cmudict-en-us.dict").toString()));
        for (Path p : List.of(hmm, lm, dict)) {
            if (!Files.exists(p)) {
                throw new ModelContractException(p + ": pocketsphinx model file not found; " + SphinxNative.INSTALL_HINT);
            }
        }
        int workers = parseCount("sphinx.workers", extra.get("sphinx.workers"), Runtime.getRuntime().availableProcessors());
        int maxDecoders = parseCount("sphinx.max-streams", extra.get("sphinx.max-streams"), 32);
        long postSpeechFrames = Math.max(10, Math.min(2_000, options.endpointTrailingSilence().toMillis() / 10));
        if (options.maxUtterance().toMillis() < 1_000) {
            throw new IllegalArgumentException("asr.engine.max-utterance: at least 1s, got " + options.maxUtterance());
        }
        List<String> args = List.of("-hmm", hmm.toString(), "-lm", lm.toString(), "-dict", dict.toString(),
                "-vad_postspeech", Long.toString(postSpeechFrames), "-logfn", "/dev/null");
        SphinxNative lib = SphinxNative.load();
        try (SphinxDecoder probe = SphinxDecoder.open(lib, args)) {
            log.debug("pocketsphinx decoder loaded from {}", hmm);
        } catch (RecognitionException e) {
            throw new ModelContractException(e.getMessage(), e);
        }
        return new SphinxEngine(lib, args, options, workers, maxDecoders);
    }

    /** A positive count; unset or 0 means {@code byDefault}. */
    private static int parseCount(String key, String value, int byDefault) {
        if (value == null || value.isBlank() || value.trim().equals("0")) return byDefault;
        try {
            int n = Integer.parseInt(value.trim());
            if (n > 0) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("asr.engine." + key + ": a positive number (0 = default), got '" + value + "'");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> languages() {
        return LANGUAGES;
    }

    @Override
    public Set<Acceleration> accelerations() {
        return EnumSet.allOf(Acceleration.class);
    }

    @Override
    public RecognitionStream openStream(StreamSpec settings, RecognitionListener listener) throws UnsupportedSettingException {
        if (closed) throw new IllegalStateException("sphinx engine is closed");
        String language = settings.language() == null ? defaultLanguage : ApiLanguages.canonical(settings.language());
        if (language == null || !LANGUAGES.contains(language)) {
            throw new UnsupportedSettingException("language", settings.language(), List.of(ApiLanguages.AUTO, "en-US"),
                    "the sphinx engine recognises English only");
        }
        Acceleration acceleration = settings.acceleration() != null ? settings.acceleration()
                : options.defaultAcceleration() != null ? options.defaultAcceleration() : Acceleration.REGULAR;
        long seq = streamSeq.incrementAndGet();
        String label = settings.label() == null ? "sphinx-" + seq : settings.label();
        int bufferSamples = (int) Math.min(Integer.MAX_VALUE / 2, options.streamBuffer().toMillis() * 16);
        SphinxStream stream = new SphinxStream(this, "sphinx-" + seq, label, bufferSamples, acceleration.chunkMillis(), listener);
        streams.add(stream);
        return stream;
    }

    /** Streams not yet released (open, or finishing). */
    public int openStreams() {
        return streams.size();
    }

    /** Native decoders alive in this process (for leak checks). */
    public static int openDecoders() {
        return SphinxDecoder.openCount();
    }

    /** Streams that failed (a native call or decoder creation). */
    public long failures() {
        return failures.get();
    }

    public DropCounter drops() {
        return drops;
    }

    /**
     * Ends every stream without flushing, lets queued work finish, frees every decoder, stops the workers.
     * Waits at most 30 s for the worker pool.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (SphinxStream s : new ArrayList<>(streams)) s.close();
        if (!ExecutorShutdown.drain(workers, Duration.ofSeconds(30), "sphinx workers", log)) {
            log.warn("sphinx: abandoning {} open decoder(s)", SphinxDecoder.openCount());
        }
    }

    @Override
    public int maxStreams() {
        return maxDecoders;
    }

    // ---- for the streams ----

    ExecutorService workers() {
        return workers;
    }

    long maxUtteranceMillis() {
        return options.maxUtterance().toMillis();
    }

    SphinxDecoder newDecoder() throws RecognitionException {
        if (liveDecoders.incrementAndGet() > maxDecoders) {
            liveDecoders.decrementAndGet();
            throw new RecognitionException("sphinx engine at capacity: " + maxDecoders + " concurrent streams "
                    + "(asr.engine.sphinx.max-streams; each needs about 90 MB)");
        }
        try {
            return SphinxDecoder.open(lib, decoderArgs);
        } catch (RecognitionException | RuntimeException e) {
            liveDecoders.decrementAndGet();
            throw e;
        }
    }

    /** The stream is over: its decoder (if it had one) is freed, here, exactly once. */
    void release(SphinxStream stream, SphinxDecoder decoder) {
        if (decoder != null) {
            decoder.close();
            liveDecoders.decrementAndGet();
        }
        streams.remove(stream);
    }

    void reportFailure(String where, Exception e) {
        failures.incrementAndGet();
        String key = e.getClass().getName() + ": " + e.getMessage();
        if (loggedErrors.putIfAbsent(key, Boolean.TRUE) == null && loggedErrors.size() < 1_000) {
            log.error("sphinx stream {} failed: {}", where, e.toString(), e);
        }
    }
}

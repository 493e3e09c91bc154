package org.streamasr.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.streamasr.engine.Acceleration;
import org.streamasr.engine.RecognitionException;
import org.streamasr.engine.RecognitionListener;
import org.streamasr.engine.RecognitionStream;
import org.streamasr.engine.SpeechEngine;
import org.streamasr.engine.StreamSpec;
import org.streamasr.engine.TimedToken;
import org.streamasr.engine.UnsupportedSettingException;
import org.streamasr.engine.Utterance;

/**
 * A test engine whose results the test dictates: each stream records the audio it accepts, and the test emits
 * partials and finals on it (as an engine thread would). On {@code finish()} the open utterance is delivered as a
 * final, then {@code onFinished}. For tests of sessions, captions and the server's plumbing, where the words must be
 * exact; end-to-end tests use a real engine.
 */
public final class ScriptedEngine implements SpeechEngine {
    private final List<Stream> streams = new CopyOnWriteArrayList<>();
    private final AtomicInteger open = new AtomicInteger();

    @Override
    public String name() {
        return "scripted";
    }

    @Override
    public Set<String> languages() {
        return Set.of("en-US", "de-DE");
    }

    @Override
    public Set<Acceleration> accelerations() {
        return Set.of(Acceleration.REGULAR, Acceleration.FULL);
    }

    @Override
    public RecognitionStream openStream(StreamSpec settings, RecognitionListener listener)
            throws UnsupportedSettingException {
        if (settings.language() != null && !languages().contains(settings.language())) {
            throw new UnsupportedSettingException("language", settings.language(), List.copyOf(languages()));
        }
        Stream s = new Stream(settings, listener);
        streams.add(s);
        open.incrementAndGet();
        return s;
    }

    public List<Stream> streams() {
        return List.copyOf(streams);
    }

    /** The stream whose label ends with {@code "/" + participantId} (labels are "callId/participantId"). */
    public Stream stream(String callId, String participantId) {
        for (Stream s : streams) if (s.settings.label().equals(callId + "/" + participantId)) return s;
        throw new AssertionError("no stream for " + callId + "/" + participantId + " among " + streams.size());
    }

    public int openStreams() {
        return open.get();
    }

    @Override
    public void close() {
    }

    /** One scripted stream. */
    public final class Stream implements RecognitionStream {
        public final StreamSpec settings;
        private final RecognitionListener listener;
        private final List<float[]> chunks = new ArrayList<>();
        private long accepted;
        private int utterance;
        private String openText;
        private boolean finished;
        private boolean closed;
        private volatile boolean behind;

        Stream(StreamSpec settings, RecognitionListener listener) {
            this.settings = settings;
            this.listener = listener;
        }

        @Override
        public synchronized boolean accept(float[] samples, int offset, int length) {
            float[] copy = new float[length];
            System.arraycopy(samples, offset, copy, 0, length);
            chunks.add(copy);
            accepted += length;
            return !behind;
        }

        @Override
        public void acceptAwaiting(float[] samples, int offset, int length) {
            accept(samples, offset, length);
        }

        /** Makes the next accepts report that the engine dropped the oldest audio. */
        public void fallBehind(boolean value) {
            behind = value;
        }

        public synchronized long acceptedSamples() {
            return accepted;
        }

        /** All accepted samples, in order. */
        public synchronized float[] audio() {
            float[] out = new float[(int) accepted];
            int at = 0;
            for (float[] c : chunks) {
                System.arraycopy(c, 0, out, at, c.length);
                at += c.length;
            }
            return out;
        }

        /** Emits a partial covering the audio so far, with one token per word at the given start times (ms). */
        public void partial(String text, long... wordStarts) {
            Utterance u;
            synchronized (this) {
                openText = text;
                u = utterance(text, wordStarts);
            }
            listener.onPartial(u);
        }

        public void fin(String text, long... wordStarts) {
            Utterance u;
            synchronized (this) {
                u = utterance(text, wordStarts);
                utterance++;
                openText = null;
            }
            listener.onFinal(u);
        }

        public void fail(String message) {
            listener.onError(new RecognitionException(message));
        }

        private Utterance utterance(String text, long[] wordStarts) {
            List<TimedToken> tokens = new ArrayList<>();
            String[] words = text.isBlank() ? new String[0] : text.trim().split("\\s+");
            for (int i = 0; i < words.length && i < wordStarts.length; i++) {
                tokens.add(new TimedToken(-1, words[i], wordStarts[i]));
            }
            return new Utterance(settings.label() + "#" + utterance, utterance, text, settings.language(), 0,
                    accepted / 16, tokens);
        }

        @Override
        public void finish() {
            String pending;
            synchronized (this) {
                if (finished) return;
                finished = true;
                pending = openText;
            }
            if (pending != null) fin(pending);
            listener.onFinished();
        }

        public synchronized boolean isFinished() {
            return finished;
        }

        @Override
        public long pendingSamples() {
            return 0;
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                open.decrementAndGet();
            }
        }

        public synchronized boolean isClosed() {
            return closed;
        }
    }
}

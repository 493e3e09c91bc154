package org.streamasr.api;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.streamasr.engine.Acceleration;
import org.streamasr.engine.RecognitionListener;
import org.streamasr.engine.RecognitionStream;
import org.streamasr.engine.SpeechEngine;
import org.streamasr.engine.StreamSpec;
import org.streamasr.engine.Utterance;

/**
 * A test double of an engine for the API's unit tests (the end-to-end tests use real engines): it "recognises" one
 * word per second of audio ("one", "two", ...), as a partial after each second and a final of the whole at the
 * end, so tests can check that the decoded duration and the partial/final plumbing reach the client. A gate can
 * hold streams in {@code acceptAwaiting} to keep requests running.
 */
final class CountingEngine implements SpeechEngine {
    private static final String[] WORDS = {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"};

    final AtomicInteger opened = new AtomicInteger();
    final AtomicInteger open = new AtomicInteger();
    final List<StreamSpec> settings = new java.util.concurrent.CopyOnWriteArrayList<>();
    volatile CountDownLatch gate = new CountDownLatch(0);
    /** Counted down when a stream starts waiting at the gate. */
    volatile CountDownLatch atGate = new CountDownLatch(1);

    @Override
    public String name() {
        return "counting";
    }

    @Override
    public Set<String> languages() {
        return Set.of("auto", "en-US", "de-DE");
    }

    @Override
    public Set<Acceleration> accelerations() {
        return EnumSet.allOf(Acceleration.class);
    }

    static String wordsFor(long samples) {
        List<String> w = new ArrayList<>();
        for (int i = 0; i < samples / 16000; i++) w.add(WORDS[i % WORDS.length]);
        return String.join(" ", w);
    }

    @Override
    public RecognitionStream openStream(StreamSpec s, RecognitionListener listener) {
        settings.add(s);
        opened.incrementAndGet();
        open.incrementAndGet();
        return new RecognitionStream() {
            long samples;
            boolean closed;

            @Override
            public boolean accept(float[] samples, int offset, int length) {
                throw new UnsupportedOperationException("the API feeds with acceptAwaiting");
            }

            @Override
            public void acceptAwaiting(float[] pcm, int offset, int length) throws InterruptedException {
                atGate.countDown();
                gate.await();
                long before = samples / 16000;
                samples += length;
                if (samples / 16000 > before) {
                    listener.onPartial(new Utterance("u0", 0, wordsFor(samples), s.language(), 0, samples / 16, List.of()));
                }
            }

            @Override
            public void finish() {
                listener.onFinal(new Utterance("u0", 0, wordsFor(samples), s.language(), 0, samples / 16, List.of()));
                listener.onFinished();
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
        };
    }

    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}

package org.streamasr.engine.nemotron;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.streamasr.engine.RecognitionException;
import org.streamasr.engine.RecognitionListener;
import org.streamasr.engine.Utterance;

/** Records a stream's events in order (WebSocketRecorder-style) and waits for them with a deadline. */
class Recorder implements RecognitionListener {
    record Event(String kind, Utterance utterance, RecognitionException error) {
    }

    final List<Event> events = new CopyOnWriteArrayList<>();
    private volatile boolean finished;

    @Override
    public void onPartial(Utterance partial) {
        events.add(new Event("partial", partial, null));
    }

    @Override
    public void onFinal(Utterance utterance) {
        events.add(new Event("final", utterance, null));
    }

    @Override
    public void onError(RecognitionException error) {
        events.add(new Event("error", null, error));
    }

    @Override
    public void onFinished() {
        events.add(new Event("finished", null, null));
        finished = true;
    }

    List<Utterance> finals() {
        List<Utterance> out = new ArrayList<>();
        for (Event e : events) if (e.kind().equals("final")) out.add(e.utterance());
        return out;
    }

    List<String> finalTexts() {
        return finals().stream().map(Utterance::text).toList();
    }

    List<Utterance> partials() {
        List<Utterance> out = new ArrayList<>();
        for (Event e : events) if (e.kind().equals("partial")) out.add(e.utterance());
        return out;
    }

    void awaitFinished(Duration timeout) {
        await(() -> finished, timeout, "onFinished");
    }

    static void await(BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            Thread.onSpinWait();
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }
}

package org.streamasr.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.streamasr.engine.RecognitionException;
import org.streamasr.engine.RecognitionListener;
import org.streamasr.engine.Utterance;

/** Records a stream's results in arrival order, for assertions on content and on the order of events. */
public final class RecordingListener implements RecognitionListener {

    /** One callback: kind is "partial", "final", "error" or "finished". */
    public record Event(String kind, Utterance utterance, RecognitionException error) {
    }

    private final List<Event> events = new ArrayList<>();

    @Override
    public synchronized void onPartial(Utterance partial) {
        events.add(new Event("partial", partial, null));
    }

    @Override
    public synchronized void onFinal(Utterance utterance) {
        events.add(new Event("final", utterance, null));
    }

    @Override
    public synchronized void onError(RecognitionException error) {
        events.add(new Event("error", null, error));
    }

    @Override
    public synchronized void onFinished() {
        events.add(new Event("finished", null, null));
    }

    public synchronized List<Event> events() {
        return List.copyOf(events);
    }

    public synchronized List<Utterance> finals() {
        return events.stream().filter(e -> e.kind.equals("final")).map(Event::utterance).toList();
    }

    public synchronized List<Utterance> partials() {
        return events.stream().filter(e -> e.kind.equals("partial")).map(Event::utterance).toList();
    }

    /** The finals' texts joined by spaces. */
    public String finalText() {
        return String.join(" ", finals().stream().map(Utterance::text).filter(t -> !t.isEmpty()).toList());
    }

    public synchronized boolean finished() {
        return events.stream().anyMatch(e -> e.kind.equals("finished"));
    }

    /** Waits (polling, no fixed sleep) until {@link #onFinished()} arrived; fails after {@code timeout}. */
    public void awaitFinished(Duration timeout) {
        await(this::finished, timeout, "onFinished");
    }

    public static void await(BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }
}

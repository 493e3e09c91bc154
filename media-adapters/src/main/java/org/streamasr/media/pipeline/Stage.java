package org.streamasr.media.pipeline;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.streamasr.runtime.DropCounter;

/**
 * One step of a media pipeline with one job (depacketise, decode, resample, frame). Subclasses write
 * {@link #transform}; the final {@link #process} counts what went in, came out and was dropped, times the transform,
 * and forwards the output to the next stage. Returning {@code null} from {@code transform} means "dropped" (the
 * stage has already said why through its {@link DropCounter}); the base class accounts for it.
 *
 * <p>An exception thrown by a transform is a bug or a codec failure on bad input: it is caught here, counted as a
 * drop with reason {@code error-<ExceptionClass>} (logged at most once per interval per class), and the stream goes
 * on with its next input. A stage is used by one thread at a time (its stream's serial worker); the counters may be
 * read from any thread.
 */
public abstract class Stage<I, O> implements Consumer<I> {
    private final String name;
    private final DropCounter drops;
    private final LongAdder in = new LongAdder();
    private final LongAdder out = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder nanos = new LongAdder();
    private Consumer<? super O> next = o -> { };

    protected Stage(String name, DropCounter drops) {
        this.name = name;
        this.drops = drops;
    }

    /** Feeds one input through this stage and, if it produces an output, on to the next stage. */
    public final void process(I input) {
        in.increment();
        long t0 = System.nanoTime();
        O result;
        try {
            result = transform(input);
        } catch (RuntimeException e) {
            nanos.add(System.nanoTime() - t0);
            dropped.increment();
            drops.drop("error-" + e.getClass().getSimpleName(), name + ": " + e.getMessage());
            return;
        }
        nanos.add(System.nanoTime() - t0);
        if (result == null) {
            dropped.increment();
            return;
        }
        emit(result);
    }

    @Override
    public final void accept(I input) {
        process(input);
    }

    /**
     * Turns one input into one output, or {@code null} to drop it (after counting the reason on {@link #drops()}).
     */
    protected abstract O transform(I input);

    /**
     * Forwards an output produced outside {@link #transform} (a buffer released by a timer, a filter tail flushed
     * at the end of a stream).
     */
    protected final void emit(O output) {
        out.add(outputCount(output));
        next.accept(output);
    }

    /** How many items an output counts as (a released batch counts its packets). */
    protected long outputCount(O output) {
        return output instanceof List<?> l ? l.size() : 1;
    }

    /** Sends this stage's outputs to {@code downstream}; returns it so that a pipeline reads as a chain. */
    public final <S extends Consumer<? super O>> S then(S downstream) {
        this.next = downstream;
        return downstream;
    }

    /**
     * End of input (the teardown walk of {@link StageChain#finish()} calls it in pipeline order): emit what the
     * stage still holds back and release what it owns. The default holds nothing.
     */
    public void finish() {
    }

    protected final DropCounter drops() {
        return drops;
    }

    public final String name() {
        return name;
    }

    public final StageStats stats() {
        return new StageStats(name, in.sum(), out.sum(), dropped.sum(), nanos.sum());
    }

    /** Adapts a stage that takes single items to an upstream that emits batches. */
    public static <T> Consumer<List<T>> each(Consumer<? super T> downstream) {
        return list -> {
            for (T t : list) downstream.accept(t);
        };
    }
}

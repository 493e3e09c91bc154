package org.streamasr.media.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The stages of one participant's pipeline, linked in order and kept as one list, so that statistics and teardown
 * are one walk over the stages (as the Jitsi bridge's {@code NodeStatsVisitor} and {@code NodeTeardownVisitor}),
 * never lists kept by hand. Built with {@link #from}: {@code StageChain.from(decode).then(resample).then(framer)
 * .into(sink)}; a chain is built once.
 */
public final class StageChain<I> {
    private final Stage<I, ?> first;
    private final List<Stage<?, ?>> stages;

    private StageChain(Stage<I, ?> first, List<Stage<?, ?>> stages) {
        this.first = first;
        this.stages = List.copyOf(stages);
    }

    public static <I, O> Builder<I, O> from(Stage<I, O> first) {
        return new Builder<>(first, first, new ArrayList<>(List.of(first)));
    }

    /** Feeds one input to the first stage. */
    public void process(I input) {
        first.process(input);
    }

    /** Visits every stage in pipeline order. */
    public void visit(Consumer<? super Stage<?, ?>> visitor) {
        stages.forEach(visitor);
    }

    /** In/out/dropped/time of each stage, in pipeline order. */
    public List<StageStats> stats() {
        List<StageStats> out = new ArrayList<>(stages.size());
        visit(s -> out.add(s.stats()));
        return out;
    }

    /**
     * The teardown walk: each stage in order emits what it holds back (a jitter buffer's packets, a filter's tail)
     * through the stages after it, then releases what it owns. A stage that fails does not stop the walk.
     */
    public void finish() {
        RuntimeException first = null;
        for (Stage<?, ?> s : stages) {
            try {
                s.finish();
            } catch (RuntimeException e) {
                if (first == null) first = e;
            }
        }
        if (first != null) throw first;
    }

    /** Links stages while a chain is built; the chain ends in a sink. */
    public static final class Builder<I, O> {
        private final Stage<I, ?> first;
        private final Stage<?, O> last;
        private final List<Stage<?, ?>> stages;
        private boolean used;

        private Builder(Stage<I, ?> first, Stage<?, O> last, List<Stage<?, ?>> stages) {
            this.first = first;
            this.last = last;
            this.stages = stages;
        }

        public <P> Builder<I, P> then(Stage<? super O, P> next) {
            use();
            last.then(next);
            stages.add(next);
            return new Builder<>(first, next, stages);
        }

        /** For a stage that emits batches ({@code List<T>}): the next stage takes their items one at a time. */
        @SuppressWarnings("unchecked")
        public <T, P> Builder<I, P> thenEach(Stage<T, P> next) {
            use();
            ((Stage<?, List<T>>) last).then(Stage.each(next));
            stages.add(next);
            return new Builder<>(first, next, stages);
        }

        /** Ends the chain: the last stage's outputs go to {@code sink}. */
        public StageChain<I> into(Consumer<? super O> sink) {
            use();
            last.then(sink);
            return new StageChain<>(first, stages);
        }

        private void use() {
            if (used) throw new IllegalStateException("a chain builder links one next stage; use the builder returned");
            used = true;
        }
    }
}

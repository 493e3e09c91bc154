package org.streamasr.media.pipeline;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.streamasr.runtime.DropCounter;
import org.streamasr.runtime.SerialExecutor;

/**
 * Runs one stream's work on a shared pool, one run at a time and never concurrently with itself: {@link #request()}
 * from any thread (network, timer) schedules a run of the body unless one is already pending; a request that comes
 * while a run is in progress causes exactly one more run. So a stream needs no lock and no thread of its own. A
 * coalescing front of the runtime kit's {@link SerialExecutor}.
 */
public final class SerialWorker {
    private static final int MAX_RUNS_PER_TURN = 4;
    private final SerialExecutor runs;
    private final Runnable run;
    private final DropCounter drops;
    private final AtomicBoolean pending = new AtomicBoolean();

    public SerialWorker(Executor pool, Runnable body, DropCounter drops) {
        this.drops = drops;
        this.runs = new SerialExecutor(pool, 2, MAX_RUNS_PER_TURN, SerialExecutor.WhenPoolRefuses.REFUSE,
                (task, e) -> drops.drop("error-" + e.getClass().getSimpleName(), "stream worker: " + e.getMessage()));
        this.run = () -> {
            pending.set(false);
            body.run();
        };
    }

    /**
     * Asks for a run of the body soon. Never blocks.
     *
     * @return false when the pool refused the run (it is shut down; counted as {@code executor-rejected})
     */
    public boolean request() {
        if (!pending.compareAndSet(false, true)) return true;
        if (runs.offer(run)) return true;
        pending.set(false);
        drops.drop("executor-rejected", "media pool is shut down");
        return false;
    }
}

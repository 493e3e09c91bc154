package org.streamasr.media.pipeline;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.streamasr.runtime.DropCounter;

/**
 * Runs one stream's work on a shared pool, one run at a time and never concurrently with itself: {@link #request()}
 * from any thread (network, timer) schedules a run of the body unless one is already pending; a request that comes
 * while a run is in progress causes exactly one more run. So a stream needs no lock and no thread of its own.
 */
public final class SerialWorker {
    private static final int MAX_RUNS_PER_TURN = 4;
    private final Executor pool;
    private final Runnable body;
    private final DropCounter drops;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile boolean again;

    public SerialWorker(Executor pool, Runnable body, DropCounter drops) {
        this.pool = pool;
        this.body = body;
        this.drops = drops;
    }

    /**
     * Asks for a run of the body soon. Never blocks.
     *
     * @return false when the pool refused the run (it is shut down; counted as {@code executor-rejected})
     */
    public boolean request() {
        again = true;
        return !scheduled.compareAndSet(false, true) || submit();
    }

    private boolean submit() {
        try {
            pool.execute(this::run);
            return true;
        } catch (RejectedExecutionException e) {
            scheduled.set(false);
            drops.drop("executor-rejected", "media pool is shut down");
            return false;
        }
    }

    private void run() {
        for (int i = 0; i < MAX_RUNS_PER_TURN && again; i++) {
            again = false;
            try {
                body.run();
            } catch (RuntimeException e) {
                drops.drop("error-" + e.getClass().getSimpleName(), "stream worker: " + e.getMessage());
            }
        }
        if (again) {
            // still busy: go to the back of the pool's queue so other streams get their turn
            submit();
            return;
        }
        scheduled.set(false);
        // a request between the last check and clearing the flag must not be lost
        if (again && scheduled.compareAndSet(false, true)) submit();
    }
}

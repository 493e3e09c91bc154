package org.streamasr.api.jobs;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamasr.api.ApiConfig;
import org.streamasr.api.ApiMetrics;
import org.streamasr.api.ErrorLog;
import org.streamasr.api.store.Outcome;
import org.streamasr.runtime.NamedThreads;

/**
 * The fixed pool of {@code asr-api-worker-N} threads: each takes the next job from the backend, runs it (with its
 * time limit) and hands the outcome to the job service. A queue request stopped by a shutdown is handed back to the
 * backend to run again from the start instead of completing.
 */
final class JobWorkers {
    private static final Logger LOG = LoggerFactory.getLogger(JobWorkers.class);

    /** Where a worker's results go. */
    interface Completion {
        void finish(Job job, Outcome outcome);

        void handBack(Job job);

        void started(Job job);
    }

    private final ApiConfig config;
    private final JobBackend backend;
    private final TranscriptionRunner runner;
    private final Completion completion;
    private final ApiMetrics metrics;
    private final ErrorLog errors;
    private final ScheduledExecutorService scheduler;
    private final LongSupplier clock;
    private final Set<Job> running = ConcurrentHashMap.newKeySet();
    private final List<Thread> threads = new ArrayList<>();

    JobWorkers(ApiConfig config, JobBackend backend, TranscriptionRunner runner, Completion completion,
               ApiMetrics metrics, ErrorLog errors, ScheduledExecutorService scheduler, LongSupplier clock) {
        this.config = config;
        this.backend = backend;
        this.runner = runner;
        this.completion = completion;
        this.metrics = metrics;
        this.errors = errors;
        this.scheduler = scheduler;
        this.clock = clock;
    }

    void start() {
        for (int i = 1; i <= config.workers(); i++) {
            Thread t = NamedThreads.thread(this::workerLoop, "asr-api-worker-" + i, false);
            threads.add(t);
            t.start();
        }
    }

    int runningCount() {
        return running.size();
    }

    /** The job {@code id} if a worker of this node runs it. */
    Job running(String id) {
        for (Job j : running) if (j.id().equals(id)) return j;
        return null;
    }

    /**
     * Stops after the backend stopped handing out work. In a cluster, running queue requests are handed back at once
     * (another node takes them); the others get the grace period, then are stopped.
     */
    void stop(boolean handBackQueueJobsNow) {
        if (handBackQueueJobsNow) {
            for (Job j : running) if (j.kind() == Job.Kind.QUEUE) j.requestStop(Job.StopReason.SHUTDOWN);
        }
        long deadline = System.nanoTime() + config.gracePeriod().toNanos();
        synchronized (running) {
            while (!running.isEmpty() && System.nanoTime() < deadline) {
                try {
                    running.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        if (!running.isEmpty()) {
            LOG.info("hosted API: {} request(s) still running after the grace period of {}; stopping them",
                    running.size(), config.gracePeriod());
        }
        for (Job j : running) j.requestStop(Job.StopReason.SHUTDOWN);
        for (Thread t : threads) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) LOG.warn("hosted API: worker {} did not stop", t.getName());
        }
    }

    private void workerLoop() {
        while (true) {
            Job job;
            try {
                job = backend.take();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                errors.report("worker taking the next request", e);
                try {
                    Thread.sleep(1000);   // a failing queue must not spin a worker
                } catch (InterruptedException ie) {
                    return;
                }
                continue;
            }
            if (job == null) return;
            running.add(job);
            try {
                runOne(job);
            } catch (RuntimeException e) {
                errors.report("worker running request " + job.id(), e);
            } finally {
                synchronized (running) {
                    running.remove(job);
                    running.notifyAll();
                }
            }
        }
    }

    private void runOne(Job job) {
        long t0 = System.nanoTime();
        Job.StopReason early = job.stopReason();
        if (early != null) {
            if (early == Job.StopReason.SHUTDOWN && job.kind() == Job.Kind.QUEUE) {
                completion.handBack(job);
                return;
            }
            completion.finish(job, JobService.stoppedOutcome(job, early, 0));
            return;
        }
        job.markStarted(clock.getAsLong());
        completion.started(job);
        ScheduledFuture<?> timeout = scheduler.schedule(() -> job.requestStop(Job.StopReason.TIMEOUT),
                config.jobTimeout().toMillis(), TimeUnit.MILLISECONDS);
        Outcome outcome;
        try {
            outcome = runner.run(job, t0 + config.jobTimeout().toNanos());
        } catch (JobStoppedException e) {
            if (e.reason() == Job.StopReason.SHUTDOWN && job.kind() == Job.Kind.QUEUE) {
                completion.handBack(job);
                return;
            }
            outcome = JobService.stoppedOutcome(job, e.reason(), (System.nanoTime() - t0) / 1e9);
        } finally {
            timeout.cancel(false);
        }
        metrics.duration.labelValues(JobService.mode(job)).observe((System.nanoTime() - t0) / 1e9);
        completion.finish(job, outcome);
    }
}

package org.streamasr.cluster;

import io.nats.client.Dispatcher;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.KeyValueWatchOption;
import io.nats.client.api.KeyValueWatcher;
import io.nats.client.api.PublishAck;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.NatsKeyValueWatchSubscription;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamasr.api.ApiConfig;
import org.streamasr.api.ApiError;
import org.streamasr.api.jobs.Job;
import org.streamasr.api.jobs.JobBackend;
import org.streamasr.api.jobs.JobQueue;
import org.streamasr.api.jobs.JobRecords;
import org.streamasr.api.jobs.JobService;
import org.streamasr.api.store.DeliveryRecord;
import org.streamasr.api.store.JobRecord;
import org.streamasr.api.store.LogLine;
import org.streamasr.api.store.StoreUnavailableException;

/**
 * Queue requests on JetStream, shared by every node. A submission is a record in the {@code asr-jobs} bucket and a
 * message (the request id) on a work-queue stream per priority ({@code ASR_JOBS_NORMAL}, {@code ASR_JOBS_LOW}); it is
 * acknowledged to the client only after JetStream stored both. Each worker pulls one message at a time when it is
 * free (normal before low); while it runs the job its node tells JetStream it is still working (in-progress acks
 * every third of {@code asr.cluster.ack-wait}), so a node that dies has its job redelivered to another node after
 * the ack wait, which runs it again from the start; a node that shuts down hands its jobs back at once (nak).
 * Records change only by compare-and-set ({@link JobBucket}): one result, status only forward. A cancel of a
 * running job is broadcast on {@code asr.jobs.cancel}; any node's status subscribers hear of every change through
 * a watch on the bucket.
 */
final class JetStreamJobBackend implements JobBackend {
    private static final Logger LOG = LoggerFactory.getLogger(JetStreamJobBackend.class);
    static final String NORMAL_STREAM = "ASR_JOBS_NORMAL";
    static final String LOW_STREAM = "ASR_JOBS_LOW";
    static final String NORMAL_SUBJECT = "asr.jobs.normal";
    static final String LOW_SUBJECT = "asr.jobs.low";
    static final String CANCEL_SUBJECT = "asr.jobs.cancel";
    private static final String CONSUMER = "workers";
    private static final long PULL_WAIT_MILLIS = 100;
    private static final long LOCAL_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    /** How long a refused submission is kept from running: past JetStream's duplicate window, nothing late lands. */
    private static final Duration WITHDRAW_FOR = Duration.ofMinutes(3);
    /** Longer audio URLs (data: URIs) go to the object store: a record must fit in a NATS message. */
    private static final int INLINE_URL_LIMIT = 64 * 1024;

    private final NatsCluster cluster;
    private final JobBucket records;
    private final JetStreamDeliveryStore deliveries;
    private final JobInputs inputs;
    private final JobQueueDepth depth;
    private final ApiConfig config;
    private final LongSupplier clock;
    private final JobQueue local;
    private final Map<String, Message> leases = new ConcurrentHashMap<>();
    private final ThreadLocal<JetStreamSubscription[]> pulls = new ThreadLocal<>();
    private final java.util.concurrent.ScheduledExecutorService timer;
    /** Queue positions and withdrawals of submissions, off the client's thread and the timer. */
    private final java.util.concurrent.ScheduledExecutorService submissions;
    /** Submissions refused on this node: never run here, whatever the store says. */
    private final java.util.Set<String> withdrawn = ConcurrentHashMap.newKeySet();
    private Hooks hooks;
    private Dispatcher cancels;
    private NatsKeyValueWatchSubscription watch;
    private volatile boolean stopped;

    JetStreamJobBackend(NatsCluster cluster, JobBucket records, JetStreamDeliveryStore deliveries, JobInputs inputs,
                        ApiConfig config, LongSupplier clock) throws IOException {
        this.cluster = cluster;
        this.inputs = inputs;
        this.depth = new JobQueueDepth(cluster, CONSUMER);
        this.records = records;
        this.deliveries = deliveries;
        this.config = config;
        this.clock = clock;
        this.local = new JobQueue(config.maxQueued());
        this.timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                org.streamasr.runtime.NamedThreads.single("asr-cluster-jobs", true));
        this.submissions = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                org.streamasr.runtime.NamedThreads.single("asr-cluster-submissions", true));
        for (String[] s : new String[][] {{NORMAL_STREAM, NORMAL_SUBJECT}, {LOW_STREAM, LOW_SUBJECT}}) {
            // a work queue: a message is removed once a worker acknowledges it; at most max-queued wait (or run)
            cluster.ensureStream(StreamConfiguration.builder().name(s[0]).subjects(s[1])
                    .retentionPolicy(RetentionPolicy.WorkQueue).storageType(StorageType.File)
                    .replicas(cluster.config().replicas()).maxMessages(config.maxQueued())
                    .discardPolicy(DiscardPolicy.New).duplicateWindow(Duration.ofMinutes(2)).build());
            try {
                cluster.management().addOrUpdateConsumer(s[0], ConsumerConfiguration.builder().durable(CONSUMER)
                        .filterSubject(s[1]).ackPolicy(AckPolicy.Explicit).ackWait(cluster.config().ackWait()).maxDeliver(-1)
                        .maxAckPending(-1).build());
            } catch (JetStreamApiException e) {
                throw new IOException("JetStream consumer of " + s[0] + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void start(Hooks h) {
        this.hooks = h;
        cancels = cluster.connection().createDispatcher(msg -> {
            String id = new String(msg.getData(), StandardCharsets.UTF_8);
            h.stopRunning(id, Job.StopReason.CANCELLED);
        });
        cancels.subscribe(CANCEL_SUBJECT);
        try {
            watch = records.kv().watchAll(new KeyValueWatcher() {
                @Override
                public void watch(io.nats.client.api.KeyValueEntry entry) {
                    h.changed(entry.getKey());
                    h.changed(null);
                }

                @Override
                public void endOfData() {
                }
            }, KeyValueWatchOption.UPDATES_ONLY, KeyValueWatchOption.IGNORE_DELETE, KeyValueWatchOption.META_ONLY);
        } catch (IOException | JetStreamApiException e) {
            throw cluster.unavailable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long period = Math.max(200, cluster.config().ackWait().toMillis() / 3);
        timer.scheduleWithFixedDelay(this::heartbeat, period, period, TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(depth::refresh, 0, 1, TimeUnit.SECONDS);
    }

    /**
     * Stores the record, then publishes the message, both within asr.cluster.submit-timeout of the request's
     * acceptance, its wait for a store-call thread included (while JetStream re-elects a stream leader they would wait
     * far longer): past it the client gets 503 (submit_timeout) and the submission is withdrawn (one that spent all of
     * it waiting for a thread is refused before anything is sent). A publish not acknowledged may still be stored
     * later (message id = request id, so JetStream never stores it twice); since the client never learnt the id,
     * {@link #withdraw} completes the record as cancelled (or creates it so, so that a create still on its way fails),
     * and a worker that pulls the message finds it completed and drops it; a worker that claimed it first is told to
     * stop. Nothing runs unknown.
     */
    @Override
    public void submit(Job job, long acceptedAtNanos) throws ApiError {
        long deadline = acceptedAtNanos + cluster.config().submitTimeout().toNanos();
        if (deadline - System.nanoTime() <= 0) {   // nothing was sent
            throw JobService.submitTimeoutError(submitTimeout(), "it waited that long for a store-call thread");
        }
        cluster.requireConnected();   // unreachable: 503 at once, nothing was sent
        JobRecord r = JobRecords.of(job, job.webhookUrl() == null ? null : "PENDING");
        if (r.audioUrl().length() > INLINE_URL_LIMIT) r = inputs.stash(r);   // a large data: URI
        ClusterJob rec = new ClusterJob(r, null, false, 0);
        try {
            if (!records.create(rec, deadline)) throw new IllegalStateException("request id " + job.id() + " exists");
        } catch (StoreUnavailableException e) {
            // no server took the create (a leader election under way): nothing was stored, nothing to withdraw
            if (NatsCluster.noResponders(e)) throw e.apiError();
            withdraw(rec);   // the create may still be stored: make sure it never runs
            throw notStoredInTime(e.getMessage());
        }
        CompletableFuture<PublishAck> published = cluster.jetStream().publishAsync(
                job.lowPriority() ? LOW_SUBJECT : NORMAL_SUBJECT, job.id().getBytes(StandardCharsets.UTF_8),
                io.nats.client.PublishOptions.builder().messageId(job.id()).build());
        PublishAck ack;
        try {
            ack = published.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            published.cancel(false);
            withdraw(rec);
            throw notStoredInTime("no acknowledgement from JetStream");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            withdraw(rec);
            throw notStoredInTime("interrupted");
        } catch (ExecutionException e) {
            JetStreamApiException refused = NatsCluster.apiException(e);
            if (refused == null) {
                withdraw(rec);   // lost on the way back, perhaps stored
                throw notStoredInTime(String.valueOf(e.getCause()));
            }
            deleteQuietly(job.id());   // JetStream answered: not stored
            if (refused.getMessage() != null && refused.getMessage().contains("maximum messages")) {
                throw JobService.queueFullError(config.maxQueued());
            }
            throw cluster.unavailable(refused);
        }
        long seq = ack.getSeqno();   // for queue_position; best effort, and not past the deadline
        Future<?> recorded = submissions.submit(() -> {
            try {
                records.update(job.id(), x -> x.streamSeq() == 0 ? x.withStreamSeq(seq) : null);
            } catch (StoreUnavailableException e) {
                LOG.debug("cluster: queue position of {} not recorded: {}", job.id(), e.getMessage());
            }
        });
        try {
            recorded.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // stored and queued: accepted; its queue position is recorded later or never
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** From the queue depth of the last second: the submission's answer does not wait on JetStream again. */
    @Override
    public int positionOfSubmitted(Job job) {
        return depth.positionOfNew(job.lowPriority());
    }

    private ApiError notStoredInTime(String detail) {
        return JobService.submitTimeoutError(cluster.config().submitTimeout(), "NATS JetStream may be electing a leader: "
                + detail);
    }

    @Override
    public Duration submitTimeout() {
        return cluster.config().submitTimeout();
    }

    /**
     * Withdraws a submission its client was refused (on the submission thread, retried every second while JetStream
     * cannot be reached, for as long as JetStream may still store a late publish of it).
     */
    private void withdraw(ClusterJob rec) {
        String id = rec.job().id();
        withdrawn.add(id);
        ClusterJob tombstone = new ClusterJob(ClusterJobRecords.withdrawn(rec.job(), clock.getAsLong()), null, false,
                0);
        long until = System.nanoTime() + WITHDRAW_FOR.toNanos();
        Runnable attempt = new Runnable() {
            @Override
            public void run() {
                try {
                    ClusterJob replaced = records.withdraw(tombstone);
                    if (replaced != null && replaced.node() != null) {
                        cluster.connection().publish(CANCEL_SUBJECT, id.getBytes(StandardCharsets.UTF_8));
                    }
                    LOG.info("cluster: request {} withdrawn (not stored within asr.cluster.submit-timeout)", id);
                } catch (RuntimeException e) {
                    if (System.nanoTime() > until || submissions.isShutdown()) {
                        LOG.warn("cluster: request {} could not be withdrawn: {}", id, e.getMessage());
                        return;
                    }
                    submissions.schedule(this, 1, TimeUnit.SECONDS);
                }
            }
        };
        try {
            submissions.execute(attempt);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.warn("cluster: request {} not withdrawn: shutting down", id);
        }
    }

    private void deleteQuietly(String id) {
        try {
            records.delete(id);
        } catch (RuntimeException e) {
            LOG.debug("cluster: cannot delete the record of {}: {}", id, e.getMessage());
        }
    }

    @Override
    public boolean offerEphemeral(Job job) {
        return local.offer(job);
    }

    /** This node's sync and streaming requests first, then the cluster's queue, normal before low priority. */
    @Override
    public Job take() throws InterruptedException {
        while (!stopped) {
            Job j = local.poll(0);
            if (j != null) return j;
            if (cluster.connected()) {
                JetStreamSubscription[] subs = subscriptions();
                for (JetStreamSubscription sub : subs) {
                    if (sub == null) continue;
                    j = pull(sub);
                    if (j != null) return j;
                    if (stopped) return null;
                }
            }
            j = local.poll(LOCAL_WAIT_NANOS);
            if (j != null) return j;
        }
        return null;
    }

    private JetStreamSubscription[] subscriptions() {
        JetStreamSubscription[] subs = pulls.get();
        if (subs == null) {
            try {
                subs = new JetStreamSubscription[] {
                        cluster.jetStream().subscribe(NORMAL_SUBJECT, PullSubscribeOptions.bind(NORMAL_STREAM, CONSUMER)),
                        cluster.jetStream().subscribe(LOW_SUBJECT, PullSubscribeOptions.bind(LOW_STREAM, CONSUMER))};
                pulls.set(subs);
            } catch (IOException | JetStreamApiException | RuntimeException e) {
                LOG.warn("cluster: cannot pull jobs yet: {}", e.getMessage());
                return new JetStreamSubscription[0];
            }
        }
        return subs;
    }

    /** One message, turned into a job to run; null when none, or when the message needed no run. */
    private Job pull(JetStreamSubscription sub) {
        List<Message> got;
        try {
            got = sub.fetch(1, Duration.ofMillis(PULL_WAIT_MILLIS));
        } catch (RuntimeException e) {
            LOG.debug("cluster: pull failed: {}", e.getMessage());
            return null;
        }
        if (got.isEmpty()) return null;
        Message msg = got.get(0);
        if (stopped) {
            msg.nak();
            return null;
        }
        String id = new String(msg.getData(), StandardCharsets.UTF_8);
        try {
            return claim(id, msg);
        } catch (StoreUnavailableException e) {
            msg.nak();
            return null;
        }
    }

    private Job claim(String id, Message msg) {
        if (withdrawn.contains(id)) {
            msg.ack();   // refused to its client; its record is (being) completed as withdrawn
            return null;
        }
        ClusterJob rec = records.get(id);
        if (rec == null) {
            LOG.warn("cluster: queued request {} has no record (past the result retention?); dropped", id);
            msg.ack();
            return null;
        }
        if (rec.completed()) {
            ensureDelivery(rec);   // a node that died after recording the result but before storing the delivery
            msg.ack();
            return null;
        }
        if (rec.cancelRequested()) {
            completeCancelled(id);
            msg.ack();
            return null;
        }
        boolean resumed = rec.node() != null || msg.metaData().deliveredCount() > 1;
        Job job = Job.fromRecord(inputs.restore(rec.job()), hooks.durableObserver(), resumed);
        leases.put(id, msg);
        if (resumed) {
            job.log("INFO", "node " + (rec.node() == null ? "?" : rec.node()) + " stopped while running this request; "
                    + "node " + cluster.nodeId() + " runs it again from the start");
        }
        return job;
    }

    @Override
    public boolean removeWaiting(Job job) {
        return local.remove(job);
    }

    @Override
    public JobService.JobStatus status(String id, String owner) {
        ClusterJob rec = records.get(id);
        if (rec == null || !Objects.equals(rec.job().owner(), owner)) return null;
        JobRecord r = rec.job();
        Job.State state = Job.State.valueOf(r.state());
        int pos = state == Job.State.IN_QUEUE ? depth.position(rec) : -1;
        return new JobService.JobStatus(id, state, pos, r.logs(), r.outcome(), r.webhookState());
    }

    @Override
    public JobService.CancelResult cancel(String id, String owner) {
        ClusterJob rec = records.get(id);
        if (rec == null || !Objects.equals(rec.job().owner(), owner)) return JobService.CancelResult.NOT_FOUND;
        if (rec.completed()) return JobService.CancelResult.ALREADY_COMPLETED;
        ClusterJob after = records.update(id, r -> {
            if (r.completed()) return null;
            if ("IN_QUEUE".equals(r.job().state())) return r.withJob(ClusterJobRecords.cancelled(r.job(), clock.getAsLong()), r.node());
            return r.cancelRequested() ? r : r.withCancelRequested();
        });
        if (after == null) return JobService.CancelResult.ALREADY_COMPLETED;
        if (after.completed()) {
            ensureDelivery(after);   // waiting: cancelled here; its message is dropped by whoever pulls it
        } else {
            cluster.connection().publish(CANCEL_SUBJECT, id.getBytes(StandardCharsets.UTF_8));
        }
        hooks.changed(id);
        return JobService.CancelResult.CANCELLATION_REQUESTED;
    }

    private void completeCancelled(String id) {
        ClusterJob after = records.update(id, r -> r.completed() ? null : r.withJob(ClusterJobRecords.cancelled(r.job(), clock.getAsLong()), r.node()));
        if (after != null) ensureDelivery(after);
    }

    /** Stores (and sends) the webhook delivery of a completed record if it was never stored. */
    private void ensureDelivery(ClusterJob rec) {
        JobRecord r = rec.job();
        if (r.webhookUrl() == null || !"PENDING".equals(r.webhookState()) || r.outcome() == null) return;
        DeliveryRecord d = hooks.delivery(r.id(), r.webhookUrl(), r.outcome());
        if (deliveries.create(d)) hooks.schedule(d);
    }

    @Override
    public void started(Job job) {
        try {
            ClusterJob after = records.update(job.id(), r -> r.completed() ? null
                    : r.withJob(ClusterJobRecords.snapshot(job, r.job().webhookState(), r.job()), cluster.nodeId()));
            if (after == null) hooks.stopRunning(job.id(), Job.StopReason.CANCELLED);   // cancelled meanwhile
            else if (after.cancelRequested()) hooks.stopRunning(job.id(), Job.StopReason.CANCELLED);
        } catch (StoreUnavailableException e) {
            LOG.debug("cluster: start of {} not recorded: {}", job.id(), e.getMessage());
        }
    }

    @Override
    public void logged(Job job, LogLine line) {
        if (job.state() == Job.State.COMPLETED) return;   // the completion writes them
        // waiting (not yet stored, or not started here): its record or the start's snapshot carries them; a submission
        // must not wait on the store for its first log line
        if (job.state() == Job.State.IN_QUEUE) return;
        try {
            records.update(job.id(), r -> r.completed() || !cluster.nodeId().equals(r.node()) ? null
                    : r.withJob(ClusterJobRecords.snapshot(job, r.job().webhookState(), r.job()), r.node()));
        } catch (StoreUnavailableException e) {
            LOG.debug("cluster: log line of {} not recorded: {}", job.id(), e.getMessage());
        }
    }

    @Override
    public boolean completed(Job job, DeliveryRecord delivery) {
        Message lease = leases.remove(job.id());
        ClusterJob after;
        try {
            after = records.update(job.id(), r -> r.completed() ? null
                    : r.withJob(ClusterJobRecords.snapshot(job, delivery == null ? null : "PENDING", r.job()), cluster.nodeId()));
            if (after != null && delivery != null && !deliveries.create(delivery)) {
                LOG.debug("cluster: the delivery of {} was stored already", job.id());
            }
        } catch (StoreUnavailableException e) {
            // not acknowledged: JetStream gives the job to a node again after the ack wait
            LOG.warn("cluster: the result of request {} could not be stored ({}); it runs again", job.id(), e.getMessage());
            return false;
        }
        if (lease != null) lease.ack();
        return after != null;
    }

    @Override
    public void handBack(Job job) {
        Message lease = leases.remove(job.id());
        try {
            records.update(job.id(), r -> r.completed() ? null
                    : r.withJob(ClusterJobRecords.handedBack(r.job(), cluster.nodeId()), r.node()));
        } catch (StoreUnavailableException e) {
            LOG.debug("cluster: hand-back of {} not logged: {}", job.id(), e.getMessage());
        }
        if (lease != null) lease.nak();
        LOG.info("cluster: handed request {} back to the queue", job.id());
    }

    /** Tells JetStream that this node still works on its jobs, so they are not redelivered. */
    private void heartbeat() {
        for (Message m : leases.values()) {
            try {
                m.inProgress();
            } catch (RuntimeException e) {
                LOG.debug("cluster: in-progress ack failed: {}", e.getMessage());
            }
        }
    }

    @Override
    public List<Job> stopTaking() {
        stopped = true;
        return local.shutdown();
    }

    /** The cluster's waiting queue requests (refreshed every second) plus this node's waiting sync/stream requests. */
    @Override
    public int queued() {
        return depth.waiting() + local.size();
    }

    /** Records past the retention expire with the bucket's time-to-live; nothing to do here. */
    @Override
    public void sweep() {
    }

    @Override
    public boolean shared() {
        return true;
    }

    @Override
    public void close() {
        stopped = true;
        for (String id : leases.keySet()) {
            Message m = leases.remove(id);
            if (m != null) m.nak();
        }
        timer.shutdownNow();
        submissions.shutdownNow();
        if (cancels != null) cluster.connection().closeDispatcher(cancels);
        if (watch != null) watch.unsubscribe();
    }
}

package org.streamasr.cluster;

import io.nats.client.JetStreamApiException;
import io.nats.client.ObjectStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import org.streamasr.api.store.JobRecord;

/**
 * Audio URLs too long for a job record (data: URIs of up to asr.api.limits.max-request-body) kept in the
 * {@code asr-job-inputs} object store; the record holds {@code stashed:ID} instead, and the node that runs the job
 * reads the URL back.
 */
final class JobInputs {
    private static final String PREFIX = "stashed:";

    private final NatsCluster cluster;
    private final ObjectStore objects;

    JobInputs(NatsCluster cluster, ObjectStore objects) {
        this.cluster = cluster;
        this.objects = objects;
    }

    JobRecord stash(JobRecord r) {
        try {
            objects.put(r.id(), r.audioUrl().getBytes(StandardCharsets.UTF_8));
        } catch (IOException | JetStreamApiException | NoSuchAlgorithmException e) {
            throw cluster.unavailable(e);
        }
        return withUrl(r, PREFIX + r.id());
    }

    JobRecord restore(JobRecord r) {
        if (!r.audioUrl().startsWith(PREFIX)) return r;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            objects.get(r.audioUrl().substring(PREFIX.length()), out);
        } catch (IOException | JetStreamApiException | NoSuchAlgorithmException e) {
            throw cluster.unavailable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw cluster.unavailable(e);
        }
        return withUrl(r, out.toString(StandardCharsets.UTF_8));
    }

    private static JobRecord withUrl(JobRecord j, String url) {
        return new JobRecord(j.id(), j.seq(), j.owner(), url, j.language(), j.acceleration(), j.priority(),
                j.webhookUrl(), j.state(), j.createdAtMillis(), j.startedAtMillis(), j.completedAtMillis(), j.logs(),
                j.outcome(), j.webhookState());
    }
}

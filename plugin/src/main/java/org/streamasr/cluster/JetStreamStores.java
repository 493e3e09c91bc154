package org.streamasr.cluster;

import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.api.KeyValueEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.streamasr.api.ApiConfig;
import org.streamasr.api.ClusterStores;
import org.streamasr.api.jobs.JobBackend;
import org.streamasr.api.storage.UploadStore;
import org.streamasr.api.store.DeliveryStore;

/**
 * The hosted API's state on JetStream: buckets {@code asr-jobs} (job records, expiring after the result retention),
 * {@code asr-webhooks} (pending deliveries), {@code asr-uploads} (upload records) and {@code asr-meta} (the shared
 * webhook secret), the object store {@code asr-uploads}, and the job streams of {@link JetStreamJobBackend}.
 */
public final class JetStreamStores implements ClusterStores {
    private final NatsCluster cluster;
    private final ApiConfig config;
    private final JobBucket jobs;
    private final JetStreamDeliveryStore deliveries;
    private final KeyValue meta;

    public JetStreamStores(NatsCluster cluster, ApiConfig config) throws IOException {
        this.cluster = cluster;
        this.config = config;
        this.jobs = new JobBucket(cluster, cluster.bucket("asr-jobs", config.resultRetention()),
                cluster.keyValue("asr-jobs", cluster.config().submitTimeout()));
        this.deliveries = new JetStreamDeliveryStore(cluster, cluster.bucket("asr-webhooks", null), jobs);
        this.meta = cluster.bucket("asr-meta", null);
    }

    @Override
    public JobBackend jobBackend(ApiConfig apiConfig, LongSupplier clock) {
        try {
            JobInputs inputs = new JobInputs(cluster, cluster.objectStore("asr-job-inputs", apiConfig.resultRetention()));
            return new JetStreamJobBackend(cluster, jobs, deliveries, inputs, apiConfig, clock);
        } catch (IOException e) {
            throw cluster.unavailable(e);
        }
    }

    @Override
    public DeliveryStore deliveries() {
        return deliveries;
    }

    @Override
    public UploadStore uploads(Path cacheDir) throws IOException {
        // records and bytes live as long as the longest upload may: the sweep deletes each at its own expiry
        Duration ttl = config.uploads().ttl().plus(config.uploads().uploadUrlTtl()).plusHours(1);
        return new JetStreamUploadStore(cluster, cluster.bucket("asr-uploads", ttl), cluster.objectStore("asr-uploads", ttl),
                cacheDir, config.uploads().uploadUrlTtl().toMillis(), System::currentTimeMillis);
    }

    @Override
    public String sharedSecret(String proposed) throws IOException {
        try {
            try {
                meta.create("webhook-secret", proposed.getBytes(StandardCharsets.UTF_8));
                return proposed;
            } catch (JetStreamApiException e) {
                KeyValueEntry e2 = meta.get("webhook-secret");
                if (e2 == null || e2.getValue() == null) throw new IOException("cannot read the shared webhook secret", e);
                return e2.getValueAsString();
            }
        } catch (JetStreamApiException e) {
            throw new IOException("cannot read the shared webhook secret: " + e.getMessage(), e);
        }
    }
}

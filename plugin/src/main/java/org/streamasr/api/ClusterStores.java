package org.streamasr.api;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.LongSupplier;
import org.streamasr.api.jobs.JobBackend;
import org.streamasr.api.storage.UploadStore;
import org.streamasr.api.store.DeliveryStore;

/**
 * The hosted API's state shared by the nodes of a cluster (JetStream), used instead of the embedded H2 file: the
 * queue and job records, pending webhook deliveries, uploads, and the webhook signing secret.
 */
public interface ClusterStores {
    JobBackend jobBackend(ApiConfig config, LongSupplier clock);

    DeliveryStore deliveries();

    /** @param cacheDir where uploads fetched from the cluster are kept on this node while they are used */
    UploadStore uploads(Path cacheDir) throws IOException;

    /** The webhook signing secret all nodes use: {@code proposed} when none is stored yet. */
    String sharedSecret(String proposed) throws IOException;
}

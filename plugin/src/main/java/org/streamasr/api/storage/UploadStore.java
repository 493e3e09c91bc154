package org.streamasr.api.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.streamasr.api.store.UploadRecord;

/**
 * Where uploads live: records and bytes on this node's disk (the embedded store), or a JetStream key-value bucket
 * and object store that every node of a cluster reads.
 */
public interface UploadStore {
    void put(UploadRecord r);

    UploadRecord get(String id);

    UploadRecord byToken(String token);

    List<UploadRecord> all();

    /** Deletes the record and the bytes. */
    void remove(String id);

    /** Holds the slot for one PUT (cluster-wide); false when another PUT holds it. */
    boolean claim(UploadRecord slot);

    /** Lets the slot take another PUT (this one failed). */
    void release(UploadRecord slot);

    /** Whether a PUT of this node holds the slot. */
    boolean receivingHere(String id);

    /** Takes the bytes of a finished PUT (the staged file is moved or copied away). */
    void storeBytes(UploadRecord slot, Path staged) throws IOException;

    /** A local file with the bytes of a stored upload (fetched from the cluster on first use). */
    Path localFile(UploadRecord r) throws IOException;
}

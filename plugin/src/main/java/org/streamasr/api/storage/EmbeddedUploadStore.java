package org.streamasr.api.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamasr.api.store.ApiStore;
import org.streamasr.api.store.UploadRecord;

/** Upload records in the embedded {@link ApiStore} (committed with every change), bytes as files in one directory. */
public final class EmbeddedUploadStore implements UploadStore {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedUploadStore.class);

    private final ApiStore store;
    private final Path dir;
    private final Set<String> receiving = ConcurrentHashMap.newKeySet();

    public EmbeddedUploadStore(ApiStore store, Path dir) throws IOException {
        this.store = store;
        this.dir = Files.createDirectories(dir);
    }

    @Override
    public void put(UploadRecord r) {
        store.putUpload(r);
        store.commit();
    }

    @Override
    public UploadRecord get(String id) {
        return store.upload(id);
    }

    @Override
    public UploadRecord byToken(String token) {
        return store.uploadByToken(token);
    }

    @Override
    public List<UploadRecord> all() {
        return store.uploads();
    }

    @Override
    public void remove(String id) {
        store.removeUpload(id);
        store.commit();
        try {
            Files.deleteIfExists(dir.resolve(id));
        } catch (IOException e) {
            LOG.warn("hosted API: cannot delete expired upload {}: {}", id, e.getMessage());
        }
    }

    @Override
    public boolean claim(UploadRecord slot) {
        return receiving.add(slot.id());
    }

    @Override
    public void release(UploadRecord slot) {
        receiving.remove(slot.id());
    }

    @Override
    public boolean receivingHere(String id) {
        return receiving.contains(id);
    }

    @Override
    public void storeBytes(UploadRecord slot, Path staged) throws IOException {
        Files.move(staged, dir.resolve(slot.id()), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public Path localFile(UploadRecord r) {
        return dir.resolve(r.id());
    }
}

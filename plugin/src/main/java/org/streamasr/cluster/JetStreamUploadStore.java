package org.streamasr.cluster;

import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.ObjectStore;
import io.nats.client.api.KeyValueEntry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.streamasr.api.storage.UploadStore;
import org.streamasr.api.store.UploadRecord;

/**
 * Uploads shared by every node: records in the {@code asr-uploads} bucket ({@code file.ID}, and {@code token.TOKEN}
 * → ID while the upload URL is unused), the bytes in the {@code asr-uploads} object store. A PUT holds its slot with
 * a {@code claim.ID} entry created only if absent (so one PUT at a time, cluster-wide; a claim of a node that died
 * expires after the upload-URL lifetime). A node keeps a local copy of an upload while it serves or transcribes it.
 */
final class JetStreamUploadStore implements UploadStore {
    private static final int WRONG_LAST_SEQUENCE = 10071;

    private final NatsCluster cluster;
    private final KeyValue kv;
    private final ObjectStore objects;
    private final Path cache;
    private final long claimMillis;
    private final LongSupplier clock;
    private final Set<String> receiving = ConcurrentHashMap.newKeySet();

    JetStreamUploadStore(NatsCluster cluster, KeyValue kv, ObjectStore objects, Path cache, long claimMillis,
                         LongSupplier clock) throws IOException {
        this.cluster = cluster;
        this.kv = kv;
        this.objects = objects;
        this.cache = Files.createDirectories(cache);
        this.claimMillis = claimMillis;
        this.clock = clock;
    }

    @Override
    public void put(UploadRecord r) {
        cluster.requireConnected();
        try {
            UploadRecord old = get(r.id());
            if (old != null && old.token() != null && !old.token().equals(r.token())) kv.delete("token." + old.token());
            kv.put("file." + r.id(), JobBucket.JSON.writeValueAsBytes(r));
            if (r.token() != null) kv.put("token." + r.token(), r.id());
        } catch (IOException | JetStreamApiException e) {
            throw cluster.unavailable(e);
        }
    }

    @Override
    public UploadRecord get(String id) {
        cluster.requireConnected();
        try {
            KeyValueEntry e = kv.get("file." + id);
            return e == null || e.getValue() == null ? null : JobBucket.JSON.readValue(e.getValue(), UploadRecord.class);
        } catch (IOException | JetStreamApiException e) {
            throw cluster.unavailable(e);
        }
    }

    @Override
    public UploadRecord byToken(String token) {
        if (!token.matches("[A-Za-z0-9_-]{1,100}")) return null;
        cluster.requireConnected();
        try {
            KeyValueEntry e = kv.get("token." + token);
            return e == null || e.getValue() == null ? null : get(e.getValueAsString());
        } catch (IOException | JetStreamApiException e) {
            throw cluster.unavailable(e);
        }
    }

    @Override
    public List<UploadRecord> all() {
        cluster.requireConnected();
        List<UploadRecord> out = new ArrayList<>();
        try {
            for (String key : kv.keys("file.>")) {
                UploadRecord r = get(key.substring("file.".length()));
                if (r != null) out.add(r);
            }
        } catch (IOException | JetStreamApiException e) {
            throw cluster.unavailable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }

    @Override
    public void remove(String id) {
        UploadRecord r = get(id);
        try {
            if (r != null && r.token() != null) kv.delete("token." + r.token());
            kv.delete("file." + id);
            kv.delete("claim." + id);
            if (r != null && r.ready()) objects.delete(id);
        } catch (IOException | JetStreamApiException e) {
            throw cluster.unavailable(e);
        }
        try {
            Files.deleteIfExists(cache.resolve(id));
        } catch (IOException ignored) {
            // the cache is cleared at the next start
        }
    }

    @Override
    public boolean claim(UploadRecord slot) {
        cluster.requireConnected();
        String key = "claim." + slot.id();
        byte[] until = Long.toString(clock.getAsLong() + claimMillis).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try {
            try {
                kv.create(key, until);
            } catch (JetStreamApiException e) {
                if (e.getApiErrorCode() != WRONG_LAST_SEQUENCE) throw e;
                KeyValueEntry held = kv.get(key);
                if (held == null || held.getValue() == null) return false;
                if (Long.parseLong(held.getValueAsString()) > clock.getAsLong()) return false;
                kv.update(key, until, held.getRevision());   // the claim of a node that died
            }
            receiving.add(slot.id());
            return true;
        } catch (JetStreamApiException e) {
            return false;
        } catch (IOException e) {
            throw cluster.unavailable(e);
        }
    }

    @Override
    public void release(UploadRecord slot) {
        receiving.remove(slot.id());
        try {
            kv.delete("claim." + slot.id());
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            // expires with the upload URL's lifetime
        }
    }

    @Override
    public boolean receivingHere(String id) {
        return receiving.contains(id);
    }

    @Override
    public void storeBytes(UploadRecord slot, Path staged) throws IOException {
        cluster.requireConnected();
        try (InputStream in = Files.newInputStream(staged)) {
            objects.put(slot.id(), in);
        } catch (JetStreamApiException | NoSuchAlgorithmException e) {
            throw cluster.unavailable(e);
        }
        Files.move(staged, cache.resolve(slot.id()), StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public Path localFile(UploadRecord r) throws IOException {
        Path file = cache.resolve(r.id());
        if (Files.exists(file)) return file;
        cluster.requireConnected();
        Path part = Files.createTempFile(cache, r.id(), ".part");
        try (OutputStream out = Files.newOutputStream(part)) {
            objects.get(r.id(), out);
        } catch (JetStreamApiException | NoSuchAlgorithmException e) {
            Files.deleteIfExists(part);
            throw cluster.unavailable(e);
        } catch (InterruptedException e) {
            Files.deleteIfExists(part);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return file;
    }
}

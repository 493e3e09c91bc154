package org.streamasr.api.storage;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamasr.api.fetch.AudioFetcher;
import org.streamasr.api.fetch.FetchException;
import org.streamasr.api.store.UploadRecord;

/**
 * fal's storage flow, served locally: {@code initiate} hands out an upload URL (a single-use secret token, like a
 * presigned URL: the official client PUTs to it without credentials) and the file URL; the PUT stores the bytes;
 * the file URL serves them until they expire and works as an {@code audio_url} without any HTTP fetch. File ids
 * are 128-bit random, so a file URL is a capability, as on fal's CDN. Records and bytes live in an {@link UploadStore}
 * (this node's disk, or the cluster's object store, so that any node serves any upload).
 */
public final class UploadService implements AudioFetcher.LocalFiles {
    private static final Logger LOG = LoggerFactory.getLogger(UploadService.class);
    /** The path of a file URL, wherever the public base URL puts it. */
    private static final Pattern FILE_PATH = Pattern.compile("/storage/files/([A-Za-z0-9_-]{22})(?:/[^/]*)?$");

    private final UploadStore store;
    private final Path staging;
    private final long ttlSeconds;
    private final long uploadUrlTtlMillis;
    /** The file name of inline uploads: one no client upload can have ({@link #safeName} keeps no ':'). */
    public static final String INLINE_NAME = "data:uri";

    private final LongSupplier clock;
    private final SecureRandom random = new SecureRandom();

    /**
     * @param staging where PUT bodies are written while they arrive
     */
    public UploadService(UploadStore store, Path staging, long ttlSeconds, long uploadUrlTtlMillis, LongSupplier clock)
            throws IOException {
        this.store = store;
        this.staging = Files.createDirectories(staging);
        this.ttlSeconds = ttlSeconds;
        this.uploadUrlTtlMillis = uploadUrlTtlMillis;
        this.clock = clock;
    }

    /**
     * Creates an upload slot.
     *
     * @param requestedTtlSeconds the client's {@code expiration_duration_seconds}, or null; never more than the
     *                            configured lifetime
     */
    public UploadRecord initiate(String contentType, String fileName, Long requestedTtlSeconds, String owner) {
        long ttl = requestedTtlSeconds == null || requestedTtlSeconds <= 0 ? ttlSeconds : Math.min(ttlSeconds, requestedTtlSeconds);
        long now = clock.getAsLong();
        UploadRecord r = new UploadRecord(randomId(16), randomId(32), safeName(fileName), safeContentType(contentType), 0,
                false, now, now + uploadUrlTtlMillis, ttl, owner);
        store.put(r);
        return r;
    }

    /** Claims the slot of an upload URL for one PUT; null when unknown, used, expired, or being received. */
    public UploadRecord claim(String token) {
        UploadRecord r = store.byToken(token);
        if (r == null || r.ready() || r.expiresAtMillis() < clock.getAsLong()) return null;
        if (!store.claim(r)) return null;
        return r;
    }

    /** Where the bytes of a claimed slot are written while they arrive. */
    public Path stagingFile(UploadRecord slot) {
        return staging.resolve(slot.id() + ".part");
    }

    /** The bytes arrived: the file becomes available under its file URL. */
    public UploadRecord complete(UploadRecord slot, long size) throws IOException {
        try {
            store.storeBytes(slot, stagingFile(slot));
            long now = clock.getAsLong();
            UploadRecord done = new UploadRecord(slot.id(), null, slot.fileName(), slot.contentType(), size, true,
                    slot.createdAtMillis(), now + slot.ttlSeconds() * 1000, slot.ttlSeconds(), slot.owner());
            store.put(done);
            return done;
        } finally {
            deleteQuietly(stagingFile(slot));
            store.release(slot);
        }
    }

    /** The PUT failed: the slot can be used again while it is valid. */
    public void abandon(UploadRecord slot) {
        try {
            deleteQuietly(stagingFile(slot));
        } finally {
            store.release(slot);
        }
    }

    /** Writes the bytes of an inline upload. */
    public interface InlineWriter {
        long write(OutputStream out) throws IOException, FetchException;
    }

    /**
     * Stores the audio of a request's {@code data:} URI as a file of its own (no upload URL): a queued request then
     * refers to it by its file URL, survives a restart without the bytes in the store, and the file is deleted when
     * the request has run ({@link #release(URI)}) or when it expires like any upload.
     */
    public UploadRecord storeInline(String owner, InlineWriter writer) throws IOException, FetchException {
        long now = clock.getAsLong();
        UploadRecord slot = new UploadRecord(randomId(16), null, INLINE_NAME, "application/octet-stream", 0, false, now,
                now + ttlSeconds * 1000, ttlSeconds, owner);
        store.put(slot);
        store.claim(slot);
        boolean ok = false;
        try {
            long size;
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(stagingFile(slot)), 64 * 1024)) {
                size = writer.write(out);
            }
            UploadRecord done = complete(slot, size);
            ok = true;
            return done;
        } finally {
            if (!ok) abandon(slot);
        }
    }

    /** Deletes the file behind {@code uri} if it is an inline upload (a request's data: URI), now that it ran. */
    @Override
    public void release(URI uri) {
        String path = uri.getRawPath();
        Matcher m = path == null ? null : FILE_PATH.matcher(path);
        if (m == null || !m.find()) return;
        UploadRecord r = store.get(m.group(1));
        if (r == null || !INLINE_NAME.equals(r.fileName())) return;
        store.remove(r.id());
    }

    /** An uploaded, unexpired file, or null. */
    public UploadRecord file(String id) {
        UploadRecord r = store.get(id);
        if (r == null || !r.ready() || r.expiresAtMillis() < clock.getAsLong()) return null;
        return r;
    }

    /** A local file with the upload's bytes (in a cluster, fetched from the object store on first use). */
    public Path path(UploadRecord r) throws IOException {
        return store.localFile(r);
    }

    @Override
    public Path resolve(URI uri) throws IOException {
        String path = uri.getRawPath();
        if (path == null) return null;
        Matcher m = FILE_PATH.matcher(path);
        if (!m.find()) return null;
        UploadRecord r = file(m.group(1));
        return r == null ? null : path(r);
    }

    /** Deletes expired files and upload slots. */
    public void sweep() {
        long now = clock.getAsLong();
        int removed = 0;
        for (UploadRecord r : store.all()) {
            if (r.expiresAtMillis() < now && !store.receivingHere(r.id())) {
                store.remove(r.id());
                deleteQuietly(staging.resolve(r.id() + ".part"));
                removed++;
            }
        }
        if (removed > 0) LOG.info("hosted API: deleted {} expired upload(s)", removed);
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.debug("cannot delete {}", p, e);
        }
    }

    private String randomId(int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    static String safeName(String name) {
        String base = name == null ? "" : name.replaceAll(".*[/\\\\]", "");
        String clean = base.replaceAll("[^A-Za-z0-9._-]", "_").replaceAll("^\\.+", "");
        if (clean.length() > 100) clean = clean.substring(clean.length() - 100);
        return clean.isEmpty() ? "audio" : clean;
    }

    private static String safeContentType(String ct) {
        if (ct == null || !ct.matches("[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+")) return "application/octet-stream";
        return ct.toLowerCase(java.util.Locale.ROOT);
    }
}

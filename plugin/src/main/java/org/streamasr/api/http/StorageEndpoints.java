package org.streamasr.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.glassfish.grizzly.WriteHandler;
import org.glassfish.grizzly.http.io.OutputBuffer;
import org.streamasr.api.ApiError;
import org.streamasr.api.store.UploadRecord;

/**
 * fal's storage flow as {@code @fal-ai/client} drives it: {@code POST /storage/upload/initiate} (through the proxy,
 * authenticated) returns {@code {upload_url, file_url}}; the client PUTs the bytes to {@code upload_url} directly
 * (no credentials: the URL holds a single-use token); {@code file_url} then serves the file and is accepted as an
 * {@code audio_url}.
 */
final class StorageEndpoints {
    private final Endpoints ctx;

    StorageEndpoints(Endpoints ctx) {
        this.ctx = ctx;
    }

    void initiate(HttpExchange ex, String owner) {
        String lifecycle = ex.header("X-Fal-Object-Lifecycle");
        ctx.readJson(ex, owner, body -> {
            String contentType = text(body, "content_type");
            String fileName = text(body, "file_name");
            UploadRecord slot = ctx.uploads.initiate(contentType, fileName, requestedTtl(lifecycle), owner);
            String base = ctx.baseUrl(ex);
            ObjectNode o = Endpoints.JSON.createObjectNode();
            o.put("upload_url", base + "/storage/upload/" + slot.token());
            o.put("file_url", fileUrl(base, slot));
            ex.json(200, o);
        });
    }

    void initiateMultipart() throws ApiError {
        throw ApiError.plain(413, "file_too_large", "multipart uploads are not supported: this server accepts files "
                + "up to " + ctx.config.limits().maxAudioBytes() + " bytes (asr.api.limits.max-audio-bytes) in one PUT; "
                + "@fal-ai/client uses multipart above 90 MiB");
    }

    /**
     * The PUT of an upload URL: no credentials, the token is the permission. Its slot is claimed before the body is
     * read, where store calls run ({@link Endpoints#offStore}: in a cluster the claim is a JetStream entry).
     */
    void put(HttpExchange ex, String token) {
        // refused (store_busy): close rather than drain, or the body we do not take would still be read
        ctx.offStore(ex, () -> receive(ex, ctx.uploads.claim(token)),
                () -> ex.response.setHeader("Connection", "close"));
    }

    private void receive(HttpExchange ex, UploadRecord slot) throws ApiError, IOException {
        if (slot == null) throw Endpoints.notFound("unknown, used or expired upload URL");
        long limit = ctx.config.limits().maxAudioBytes();
        FileChannel ch;
        try {
            ch = FileChannel.open(ctx.uploads.stagingFile(slot), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            ctx.uploads.abandon(slot);
            throw e;
        }
        long[] size = new long[1];
        Runnable abandon = () -> {
            try {
                ch.close();
            } catch (IOException ignored) {
                // the staging file is deleted next
            }
            ctx.uploads.abandon(slot);
        };
        ex.readBody(limit, "asr.api.limits.max-audio-bytes", (b, off, len) -> {
            ByteBuffer buf = ByteBuffer.wrap(b, off, len);
            while (buf.hasRemaining()) ch.write(buf);
            size[0] += len;
        }, () -> ctx.offStore(ex, () -> {   // in a cluster the bytes go to JetStream's object store
            ch.close();
            if (size[0] == 0) {
                ctx.uploads.abandon(slot);
                throw ApiError.plain(400, "bad_request", "empty upload");
            }
            UploadRecord done;
            try {
                done = ctx.uploads.complete(slot, size[0]);
            } catch (IOException | RuntimeException e) {
                ctx.uploads.abandon(slot);
                throw e;
            }
            ctx.metrics.uploadBytes.inc(size[0]);
            ObjectNode o = Endpoints.JSON.createObjectNode();
            o.put("file_url", fileUrl(ctx.baseUrl(ex), done));
            o.put("size", size[0]);
            ex.json(200, o);
        }, abandon), abandon);
    }

    /** Serves an uploaded file without blocking: chunks are written as Grizzly can take them. */
    void get(HttpExchange ex, String id) throws ApiError, IOException {
        UploadRecord r = ctx.uploads.file(id);
        if (r == null) throw Endpoints.notFound("no such file (it may have expired)");
        Path file = ctx.uploads.path(r);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        if (!ex.claim()) {
            ch.close();
            return;
        }
        ex.response.setStatus(200, "OK");
        // user content on our origin: only audio/video keep their type, nothing is sniffed or run
        String type = r.contentType().startsWith("audio/") || r.contentType().startsWith("video/")
                ? r.contentType() : "application/octet-stream";
        ex.contentType(type);
        ex.response.setContentLengthLong(ch.size());
        ex.response.setHeader("Cache-Control", "private, max-age=3600");
        ex.response.setHeader("X-Content-Type-Options", "nosniff");
        ex.response.setHeader("Content-Security-Policy", "default-src 'none'; sandbox");
        ex.response.setHeader("Content-Disposition", "inline; filename=\"" + r.fileName() + "\"");
        OutputBuffer out = ex.response.getOutputBuffer();
        new WriteHandler() {
            private final ByteBuffer buf = ByteBuffer.allocate(64 * 1024);

            void pump() {
                try {
                    while (out.canWrite()) {
                        buf.clear();
                        int n = ch.read(buf);
                        if (n < 0) {
                            done();
                            return;
                        }
                        out.write(buf.array(), 0, n);
                        out.flush();
                    }
                    out.notifyCanWrite(this);
                } catch (IOException | RuntimeException e) {
                    done();
                }
            }

            private void done() {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // read-only
                }
                ex.finish();
            }

            @Override
            public void onWritePossible() {
                pump();
            }

            @Override
            public void onError(Throwable t) {
                done();
            }
        }.pump();
    }

    private static String fileUrl(String base, UploadRecord r) {
        return base + "/storage/files/" + r.id() + "/" + URLEncoder.encode(r.fileName(), StandardCharsets.UTF_8);
    }

    private static String text(JsonNode body, String field) {
        JsonNode v = body == null ? null : body.get(field);
        return v == null || !v.isTextual() ? null : v.asText();
    }

    private static Long requestedTtl(String lifecycleHeader) {
        if (lifecycleHeader == null) return null;
        try {
            JsonNode n = Endpoints.JSON.readTree(lifecycleHeader);
            JsonNode s = n.get("expiration_duration_seconds");
            return s != null && s.canConvertToLong() ? s.asLong() : null;
        } catch (IOException e) {
            return null;
        }
    }
}

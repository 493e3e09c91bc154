package org.streamasr.api.store;

/**
 * An uploaded file (or a slot waiting for its PUT).
 *
 * @param token           the secret part of the upload URL; null once the bytes arrived
 * @param ready           true once the bytes are stored
 * @param expiresAtMillis slot expiry before the upload, file expiry after
 * @param ttlSeconds      lifetime of the file once uploaded
 */
public record UploadRecord(String id, String token, String fileName, String contentType, long size, boolean ready,
                           long createdAtMillis, long expiresAtMillis, long ttlSeconds, String owner) {
}

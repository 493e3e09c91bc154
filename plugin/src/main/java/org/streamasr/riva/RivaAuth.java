package org.streamasr.riva;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;

/**
 * Checks {@code authorization: Bearer KEY} metadata (what riva.client.Auth, LiveKit, Pipecat and LiteLLM send) before
 * any RPC runs: a missing or wrong key is UNAUTHENTICATED. With no keys configured every call is refused unless
 * asr.riva.open is set. NVCF's {@code function-id} metadata is ignored.
 */
final class RivaAuth implements ServerInterceptor {
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final Set<String> keys;
    private final boolean open;

    RivaAuth(RivaConfig config) {
        this.keys = config.keys();
        this.open = config.openWithoutKeys();
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        String problem = check(headers);
        if (problem == null) return next.startCall(call, headers);
        call.close(Status.UNAUTHENTICATED.withDescription(problem), new Metadata());
        return new ServerCall.Listener<>() {
        };
    }

    /** Null when the call may go on, else why not. */
    String check(Metadata headers) {
        if (open) return null;
        if (keys.isEmpty()) {
            return "this server has no API keys for Riva (asr.riva.keys) and is not open (asr.riva.open)";
        }
        Iterable<String> values = headers.getAll(AUTHORIZATION);
        if (values == null) return "missing 'authorization: Bearer KEY' metadata";
        for (String v : values) {
            String key = v.regionMatches(true, 0, "Bearer ", 0, 7) ? v.substring(7).trim() : v.trim();
            if (matches(key)) return null;
        }
        return "wrong API key";
    }

    private boolean matches(String key) {
        byte[] given = key.getBytes(StandardCharsets.UTF_8);
        boolean ok = false;
        for (String k : keys) ok |= MessageDigest.isEqual(given, k.getBytes(StandardCharsets.UTF_8));
        return ok;
    }
}

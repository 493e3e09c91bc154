package org.streamasr.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Iterator;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.streamasr.media.CallHandle;
import org.streamasr.media.CallRejectedException;
import org.streamasr.media.CallSink;
import org.streamasr.media.CallSpec;
import org.streamasr.media.TranscriptListener;
import org.streamasr.media.rtp.RtpEndpoint;
import org.streamasr.media.rtp.RtpEndpointSpec;
import org.streamasr.media.rtp.RtpEndpoints;
import org.streamasr.stream.CallSession;

/**
 * {@code POST /v1/calls} with {@code "rtp": {codec, payloadType?, sampleRate?, channels?, audioLevelExtension?}}:
 * allocates a UDP port of asr.media.rtp's range for the call; each SSRC sending to it becomes a participant. The
 * port is released when the call ends.
 */
final class RtpCalls {
    private static final Set<String> FIELDS = Set.of("codec", "payloadType", "sampleRate", "channels",
            "audioLevelExtension");

    private final RtpEndpoints receiver;
    private final CallSink sink;
    private final UnaryOperator<RtpEndpointSpec> tuning;

    /** @param receiver the RTP receiver, or null when RTP input is disabled */
    RtpCalls(RtpEndpoints receiver, CallSink sink) {
        this(receiver, sink, UnaryOperator.identity());
    }

    /** @param tuning applies the server's receive settings (asr.media.rtp jitter depth, gaps, timeouts) to a spec */
    RtpCalls(RtpEndpoints receiver, CallSink sink, UnaryOperator<RtpEndpointSpec> tuning) {
        this.receiver = receiver;
        this.sink = sink;
        this.tuning = tuning;
    }

    /** Validates the request's {@code rtp} object; the exception's message names the bad field. */
    RtpEndpointSpec parse(JsonNode rtp) {
        if (receiver == null) {
            throw new IllegalArgumentException("RTP input is disabled on this server (asr.media.rtp.enabled)");
        }
        if (!rtp.isObject()) throw new IllegalArgumentException("'rtp' must be an object {codec, payloadType, sampleRate}");
        for (Iterator<String> it = rtp.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) throw new IllegalArgumentException("unknown field 'rtp." + f + "'");
        }
        JsonNode codec = rtp.get("codec");
        if (codec == null || !codec.isTextual()) throw new IllegalArgumentException("'rtp.codec' must be given");
        return tuning.apply(RtpEndpointSpec.forRequest(codec.asText(), integer(rtp, "payloadType"),
                integer(rtp, "sampleRate"), integer(rtp, "channels"), integer(rtp, "audioLevelExtension")));
    }

    /** Opens a port feeding {@code call}; puts it in the call's info as "rtpPort". */
    void attach(CallSession call, RtpEndpointSpec spec) throws CallRejectedException {
        CallHandle handle = sink.openCall(CallSpec.of(call.id(), "rtp"), TranscriptListener.NONE);
        RtpEndpoint endpoint;
        try {
            endpoint = receiver.open(spec, handle, RtpEndpoint.Listener.NONE);
        } catch (IOException e) {
            handle.close();
            throw new CallRejectedException("no RTP port available: " + e.getMessage(), e);
        }
        call.info().put("rtpPort", endpoint.localPort());
        call.drainOnEnd(endpoint::closeAsync);
        call.closeOnEnd(endpoint);
        call.closeOnEnd(handle);
    }

    private static Integer integer(JsonNode rtp, String field) {
        JsonNode n = rtp.get(field);
        if (n == null || n.isNull()) return null;
        if (!n.canConvertToInt() || !n.isIntegralNumber()) {
            throw new IllegalArgumentException("'rtp." + field + "' must be an integer");
        }
        return n.asInt();
    }
}

package org.streamasr.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.streamasr.media.CallRejectedException;
import org.streamasr.stream.CallSession;

/** How {@code POST /v1/calls} with an {@code rtp} object gets a port whose packets feed the call. */
interface RtpCalls {

    /** What the sender will send: codec name, RTP payload type, and the codec's sample rate. */
    record RtpRequest(String codec, int payloadType, int sampleRate) {
    }

    /** Validates the request's {@code rtp} object; the exception's message names the bad field. */
    RtpRequest parse(JsonNode rtp);

    /**
     * Allocates a port for {@code call}, puts it in {@code call.info()} as "rtpPort", and releases it when the call
     * ends.
     */
    void attach(CallSession call, RtpRequest request) throws CallRejectedException;

    /** A server without RTP input (asr.media.rtp.enabled = false). */
    RtpCalls DISABLED = new RtpCalls() {
        @Override
        public RtpRequest parse(JsonNode rtp) {
            throw new IllegalArgumentException("RTP input is disabled on this server (asr.media.rtp.enabled)");
        }

        @Override
        public void attach(CallSession call, RtpRequest request) throws CallRejectedException {
            throw new CallRejectedException("RTP input is disabled on this server");
        }
    };
}

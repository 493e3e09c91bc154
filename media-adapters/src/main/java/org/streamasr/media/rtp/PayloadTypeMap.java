package org.streamasr.media.rtp;

import java.util.Collections;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.streamasr.media.codec.AudioCodec;
import org.streamasr.media.codec.CodecSpec;

/**
 * Which RTP payload types an endpoint decodes and as what, as negotiated in SDP ({@code a=rtpmap}) or fixed by the
 * sender (Asterisk externalMedia). Payload types that are signalling rather than audio, {@code telephone-event}
 * (RFC 4733) and comfort noise (RFC 3389, static PT 13), are recognised so that they are filtered out before
 * decoding, and counted under their own reasons instead of "unknown".
 *
 * <p>Immutable; build one with {@link #builder()}.
 */
public final class PayloadTypeMap {
    /** The static comfort-noise payload type (RFC 3551). */
    public static final int CN_STATIC = 13;

    /** What a payload type carries. */
    public enum Kind { AUDIO, TELEPHONE_EVENT, COMFORT_NOISE, UNKNOWN }

    private final Map<Integer, CodecSpec> audio;
    private final Set<Integer> events;
    private final Set<Integer> comfortNoise;
    private final CodecSpec fallback;

    private PayloadTypeMap(Builder b) {
        this.audio = Collections.unmodifiableMap(new TreeMap<>(b.audio));
        this.events = Set.copyOf(b.events);
        this.comfortNoise = Set.copyOf(b.comfortNoise);
        this.fallback = b.fallback;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** One codec at its RTP payload type (and CN 13 recognised). */
    public static PayloadTypeMap of(int payloadType, CodecSpec codec) {
        return builder().audio(payloadType, codec).build();
    }

    public Kind kind(int payloadType) {
        if (audio.containsKey(payloadType)) return Kind.AUDIO;
        if (events.contains(payloadType)) return Kind.TELEPHONE_EVENT;
        if (comfortNoise.contains(payloadType)) return Kind.COMFORT_NOISE;
        return fallback != null ? Kind.AUDIO : Kind.UNKNOWN;
    }

    /** The codec of an audio payload type (the fallback for unlisted ones, when set). */
    public Optional<CodecSpec> codec(int payloadType) {
        CodecSpec c = audio.get(payloadType);
        return Optional.ofNullable(c != null ? c : (kind(payloadType) == Kind.AUDIO ? fallback : null));
    }

    public Map<Integer, CodecSpec> audioTypes() {
        return audio;
    }

    @Override
    public String toString() {
        return "PayloadTypeMap" + audio + (events.isEmpty() ? "" : " telephone-event " + events)
                + (fallback == null ? "" : " other audio types as " + fallback);
    }

    public static final class Builder {
        private final Map<Integer, CodecSpec> audio = new TreeMap<>();
        private final Set<Integer> events = new HashSet<>();
        private final Set<Integer> comfortNoise = new HashSet<>(Set.of(CN_STATIC));
        private CodecSpec fallback;

        public Builder audio(int payloadType, CodecSpec codec) {
            check(payloadType);
            if (codec == null) throw new IllegalArgumentException("codec must be given");
            audio.put(payloadType, codec);
            return this;
        }

        /** The codec's static payload type (PCMU 0, PCMA 8, G722 9). */
        public Builder staticType(AudioCodec codec) {
            if (codec.staticPayloadType() < 0) throw new IllegalArgumentException(codec + " has no static payload type");
            return audio(codec.staticPayloadType(), CodecSpec.of(codec));
        }

        public Builder telephoneEvent(int payloadType) {
            check(payloadType);
            events.add(payloadType);
            return this;
        }

        public Builder comfortNoise(int payloadType) {
            check(payloadType);
            comfortNoise.add(payloadType);
            return this;
        }

        /**
         * Decodes any payload type not listed otherwise as {@code codec}: for senders with one fixed format whose
         * payload type number is not negotiated (Asterisk externalMedia).
         */
        public Builder otherwise(CodecSpec codec) {
            this.fallback = codec;
            return this;
        }

        public PayloadTypeMap build() {
            if (audio.isEmpty() && fallback == null) throw new IllegalArgumentException("no audio payload type given");
            for (Integer pt : audio.keySet()) {
                if (events.contains(pt) || comfortNoise.contains(pt)) {
                    throw new IllegalArgumentException("payload type " + pt + " is mapped twice");
                }
            }
            return new PayloadTypeMap(this);
        }

        private static void check(int pt) {
            if (pt < 0 || pt > 127) throw new IllegalArgumentException("payload type " + pt + " is outside 0..127");
            if (pt >= 64 && pt <= 95) {
                throw new IllegalArgumentException("payload type " + pt + " collides with RTCP (RFC 5761 §4)");
            }
        }
    }
}

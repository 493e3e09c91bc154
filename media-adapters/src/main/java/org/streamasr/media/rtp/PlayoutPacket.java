package org.streamasr.media.rtp;

import org.streamasr.media.AudioLevel;
import org.streamasr.media.ingest.EncodedPacket;

/**
 * A packet released by the {@link JitterBuffer} in playout order, as the decode stage reads it.
 *
 * @param packet         the packet
 * @param sequenceIndex  its sequence number unwrapped to 64 bits
 * @param timestampIndex its timestamp unwrapped to 64 bits
 * @param lostBefore     packets declared lost between the previous released packet and this one
 * @param discontinuity  the sender restarted (SSRC change, or a sequence jump confirmed by the next packet): the
 *                       timestamps before and after are unrelated
 */
public record PlayoutPacket(RtpPacket packet, long sequenceIndex, long timestampIndex, int lostBefore,
        boolean discontinuity) implements EncodedPacket {

    @Override
    public int format() {
        return packet.payloadType();
    }

    @Override
    public byte[] data() {
        return packet.buffer();
    }

    @Override
    public int offset() {
        return packet.payloadOffset();
    }

    @Override
    public int length() {
        return packet.payloadLength();
    }

    @Override
    public long index() {
        return sequenceIndex;
    }

    @Override
    public long timestamp() {
        return timestampIndex;
    }

    @Override
    public long arrivalNanos() {
        return packet.arrivalNanos();
    }

    /** The packet's RFC 6464 level. */
    @Override
    public AudioLevel level() {
        return packet.audioLevel() == RtpPacket.NO_AUDIO_LEVEL ? AudioLevel.NONE
                : AudioLevel.of(packet.audioLevel(), packet.voiceActivity());
    }
}

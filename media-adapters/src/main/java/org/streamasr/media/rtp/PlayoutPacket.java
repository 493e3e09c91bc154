package org.streamasr.media.rtp;

/**
 * A packet released by the {@link JitterBuffer} in playout order.
 *
 * @param packet         the packet
 * @param sequenceIndex  its sequence number unwrapped to 64 bits
 * @param timestampIndex its timestamp unwrapped to 64 bits
 * @param lostBefore     packets declared lost between the previous released packet and this one
 * @param discontinuity  the sender restarted (SSRC change, or a sequence jump confirmed by the next packet): the
 *                       timestamps before and after are unrelated
 */
public record PlayoutPacket(RtpPacket packet, long sequenceIndex, long timestampIndex, int lostBefore,
        boolean discontinuity) {
}

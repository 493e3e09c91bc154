package org.streamasr.media.rtp;

import java.time.Duration;

/**
 * What a stream puts in the timeline where packets are missing.
 *
 * <ul>
 *   <li>A <b>loss</b> (sequence numbers skipped, or a packet that did not decode) is concealed: Opus in-band FEC from
 *       the next packet for its last frame when present, codec PLC for up to {@code maxConcealment}, then
 *       silence.</li>
 *   <li>A <b>pause</b> (timestamps jump with no sequence gap: DTX, a muted or on-hold sender) becomes silence
 *       ({@link org.streamasr.media.PcmFrame.Kind#SILENCE}).</li>
 *   <li>Either is filled for at most {@code maxFill}, and never with more than the time that really passed
 *       between the two packets' arrivals (plus the jitter depth and 100 ms): timestamps alone, from a broken or
 *       hostile sender, cannot make a stream emit seconds of silence per packet. Beyond that the timeline is <b>re-based</b>: the rest of the
 *       gap is skipped and the next packet's audio follows the filled part directly, so
 *       {@code PcmFrame.mediaTimeSamples} keeps counting delivered samples and never jumps. The skipped duration is
 *       counted ({@code rtp.timeline.rebased}, {@code rtp.timeline.skipped.ms}). A sender restart (new SSRC,
 *       confirmed sequence jump) or a timestamp that runs backwards re-bases the same way, with no fill.</li>
 * </ul>
 * A recogniser needs to see a pause long enough to end an utterance, not minutes of zeros; captions' times stay
 * those of the delivered audio.
 */
public record GapPolicy(Duration maxConcealment, Duration maxFill) {
    public static final GapPolicy DEFAULT = new GapPolicy(Duration.ofMillis(120), Duration.ofSeconds(2));

    public GapPolicy {
        if (maxConcealment == null || maxFill == null) throw new IllegalArgumentException("durations must be given");
        if (maxConcealment.isNegative() || maxFill.isNegative() || maxConcealment.compareTo(maxFill) > 0) {
            throw new IllegalArgumentException("need 0 <= maxConcealment <= maxFill");
        }
    }
}

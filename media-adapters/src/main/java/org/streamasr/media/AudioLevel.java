package org.streamasr.media;

/**
 * The audio level a sender measured itself and sent beside its RTP audio (RFC 6464 client-to-mixer header extension,
 * {@code urn:ietf:params:rtp-hdrext:ssrc-audio-level}), carried on the {@link PcmFrame}s decoded from those packets
 * so that a later stage (voice activity, dominant speaker, skipping silence) can use it without analysing samples.
 *
 * @param minusDbov the level in -dBov: 0 is the loudest a sender can send, 127 is -127 dBov or quieter; -1 in
 *                  {@link #NONE}
 * @param voice     the extension's V flag: the sender's own voice-activity detector thinks the packet holds speech
 */
public record AudioLevel(int minusDbov, boolean voice) {
    /** No level: the sender sent none, none was negotiated, or the audio is concealment or silence we made up. */
    public static final AudioLevel NONE = new AudioLevel(-1, false);

    public AudioLevel {
        if (minusDbov < -1 || minusDbov > 127) throw new IllegalArgumentException("audio level must be 0..127 -dBov");
        if (minusDbov == -1 && voice) throw new IllegalArgumentException("no level cannot have the voice flag");
    }

    /** A level as sent: {@code minusDbov} 0..127. */
    public static AudioLevel of(int minusDbov, boolean voice) {
        if (minusDbov < 0) throw new IllegalArgumentException("audio level must be 0..127 -dBov");
        return new AudioLevel(minusDbov, voice);
    }

    public boolean isKnown() {
        return minusDbov >= 0;
    }

    /** The level in dBov (0 or below), or {@code NaN} for {@link #NONE}. */
    public double dBov() {
        return isKnown() ? -minusDbov : Double.NaN;
    }

    @Override
    public String toString() {
        return isKnown() ? (minusDbov == 0 ? "0" : "-" + minusDbov) + " dBov" + (voice ? " voice" : "") : "no level";
    }
}

package org.streamasr.media.sip.sdp;

import org.streamasr.media.codec.CodecSpec;
import org.streamasr.media.sip.srtp.SdesKey;

/**
 * An offered audio stream we accept: how its media will arrive.
 *
 * @param index               position of the m= section in the offer (and the answer)
 * @param label               the stream's {@code a=label} (SIPREC ties metadata to it), or {@code null}
 * @param codec               the codec chosen by our preference, with the offered clock and channels
 * @param payloadType         the offerer's payload type for it
 * @param codecFmtp           the offered {@code a=fmtp} of that payload type, or {@code null}
 * @param telephoneEventType  the offered RFC 4733 telephone-event payload type we also accept, or -1
 * @param telephoneEventFmtp  its offered fmtp, or {@code null}
 * @param remoteAddress       the offerer's connection address for the stream
 * @param remotePort          the offerer's port
 * @param answerDirection     our direction in the answer (we only receive)
 * @param remoteKey           the offerer's SRTP key for what it sends, or {@code null} for plain RTP
 * @param audioLevelExtensionId the offerer's {@code a=extmap} id for the RFC 6464 audio level it sends (1..255), or 0
 */
public record StreamOffer(int index, String label, CodecSpec codec, int payloadType, String codecFmtp,
                          int telephoneEventType, String telephoneEventFmtp, String remoteAddress, int remotePort,
                          MediaDirection answerDirection, SdesKey remoteKey, int audioLevelExtensionId) {

    public boolean secure() {
        return remoteKey != null;
    }

    /** Whether the media this stream carries would be received the same way as {@code other}'s. */
    public boolean sameMediaAs(StreamOffer other) {
        return other != null && codec.equals(other.codec) && payloadType == other.payloadType
                && telephoneEventType == other.telephoneEventType
                && audioLevelExtensionId == other.audioLevelExtensionId
                && java.util.Objects.equals(remoteKey, other.remoteKey);
    }
}

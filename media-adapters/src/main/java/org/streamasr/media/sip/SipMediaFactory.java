package org.streamasr.media.sip;

import java.io.IOException;
import java.util.function.LongConsumer;
import org.streamasr.media.ParticipantAudio;
import org.streamasr.media.sip.sdp.StreamOffer;

/**
 * Opens the receivers that carry a SIP call's negotiated streams into its participants' audio: RTP on a local UDP
 * port, SRTP undone with the offerer's key, the negotiated payload types decoded, resampled to 16 kHz.
 */
public interface SipMediaFactory {

    /**
     * Starts receiving one negotiated stream.
     *
     * @param callId     the transcribed call's id (logs, metrics)
     * @param stream     what was negotiated: codec and payload types, the remote address, the SRTP key if any
     * @param audio      where decoded audio goes
     * @param onInactive run once, from a media thread, when no media arrived for the configured timeout, with the
     *                   number of the last {@link SipMediaStream#restartInactivityTimer() restart} the report took into
     *                   account (0: none)
     */
    SipMediaStream open(String callId, StreamOffer stream, ParticipantAudio audio, LongConsumer onInactive)
            throws IOException;

    /** A running receiver. */
    interface SipMediaStream extends AutoCloseable {
        /** The UDP port RTP is expected on (written into the SDP answer). */
        int localPort();

        /**
         * Starts the media timeout afresh from now, as if a packet had just arrived (a stream coming off hold), so
         * that {@code onInactive} runs again if nothing arrives for the timeout.
         *
         * @return this restart's number (1, 2, ...): a report carrying a smaller one was made before it
         */
        long restartInactivityTimer();

        /** Stops receiving and releases the port; pending audio is flushed to the participant. Idempotent. */
        @Override
        void close();
    }
}

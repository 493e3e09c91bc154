package org.streamasr.stream;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.streamasr.runtime.DropCounter;

/**
 * What one participant's stream needs to know of its call, fixed when the participant opens: its names, the call's
 * gap and idle settings, where drops are counted and the call's clock. The stream gets this instead of its call.
 *
 * @param maxGapFillSamples a gap in the media clock up to this many samples (16 kHz) is fed as silence
 * @param idleFinalize      after this long without a frame the open utterance is finalised by feeding
 *                          {@code idleSilence} of silence; {@link Duration#ZERO} never
 * @param nanoTime          the call's monotonic clock (injected in tests)
 */
record ParticipantContext(String callId, String participantId, String displayName, String language,
                          long maxGapFillSamples, Duration idleFinalize, Duration idleSilence, DropCounter drops,
                          LongSupplier nanoTime) {

    /** "call/participant", for drop and log details. */
    String label() {
        return callId + "/" + participantId;
    }
}

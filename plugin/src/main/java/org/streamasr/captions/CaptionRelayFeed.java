package org.streamasr.captions;

import java.util.List;

/**
 * Where a call's caption events go besides its local subscribers: in cluster mode, to the other nodes that relay them
 * to their own subscribers. Each event carries the call's event number ({@code seq}, from 1, in order), so a relay
 * that asked for a {@link Replay} skips the live events the replay already held. Called on the call's event lane,
 * under the broadcaster's lock: it must not block.
 */
public interface CaptionRelayFeed {

    /** A live event (partial or final) of {@code callId}. */
    void published(String callId, long seq, CaptionMessage message);

    /** The call ended: {@code last} is the {@code ended} frame local subscribers get. */
    void ended(String callId, long seq, CaptionMessage last, String reason);

    /**
     * What a late joiner receives before anything live: the call's recent finals (as replay frames) and the number
     * of the last event they include.
     */
    record Replay(List<CaptionMessage> history, long seq) {
    }
}

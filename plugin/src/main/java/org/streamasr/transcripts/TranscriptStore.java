package org.streamasr.transcripts;

import java.util.List;

/**
 * Where call transcripts are kept: the hosted API's store on one node ({@link StoredTranscripts}), or whatever store
 * a cluster shares. Implementations are thread-safe. Writes may be buffered until {@link #flush()}.
 */
public interface TranscriptStore {

    /** Creates or replaces a call's record (replacing keeps the segments; {@link #remove} drops them). */
    void put(CallTranscriptRecord record);

    /** The record of a call, or null. */
    CallTranscriptRecord get(String callId);

    /** Every stored call id (for the retention sweep and the restart check). */
    List<String> callIds();

    /** Stores segment {@code index} (0, 1, 2, ... in the order finals arrived) of a call. */
    void putSegment(String callId, int index, TranscriptSegment segment);

    /** A call's segments in index order. */
    List<TranscriptSegment> segments(String callId);

    /** Drops a call's record and segments. */
    void remove(String callId);

    /** Makes what was written so far durable. */
    void flush();
}

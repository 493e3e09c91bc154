package org.streamasr.transcripts;

/**
 * What a stored call transcript says about its call; the segments are kept beside it.
 *
 * @param startedAtMillis wall-clock start of the call
 * @param endedAtMillis   wall-clock end, or 0 while the call runs
 * @param endReason       why the call ended ("closed", "deleted", "idle", ...), null while it runs
 * @param webhookUrl      where the transcript is POSTed when the call ends, or null
 * @param segments        finals stored so far
 */
public record CallTranscriptRecord(String callId, String source, String engine, String language, long startedAtMillis,
                                   long endedAtMillis, String endReason, String webhookUrl, int segments) {

    public boolean ended() {
        return endedAtMillis != 0;
    }

    public CallTranscriptRecord withSegments(int n) {
        return new CallTranscriptRecord(callId, source, engine, language, startedAtMillis, endedAtMillis, endReason,
                webhookUrl, n);
    }

    public CallTranscriptRecord withWebhook(String url) {
        return new CallTranscriptRecord(callId, source, engine, language, startedAtMillis, endedAtMillis, endReason,
                url, segments);
    }

    public CallTranscriptRecord withEnd(long atMillis, String reason) {
        return new CallTranscriptRecord(callId, source, engine, language, startedAtMillis, atMillis, reason,
                webhookUrl, segments);
    }
}

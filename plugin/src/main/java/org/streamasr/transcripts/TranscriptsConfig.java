package org.streamasr.transcripts;

import java.time.Duration;

/**
 * asr.calls.transcript-retention and asr.calls.transcript-webhook (config/reference.conf).
 *
 * @param retention      how long a call's transcript is kept after the call ended
 * @param defaultWebhook where every call's transcript is POSTed when it ends unless its POST /v1/calls names
 *                       another; null for none
 */
public record TranscriptsConfig(Duration retention, String defaultWebhook) {

    public static TranscriptsConfig defaults() {
        return new TranscriptsConfig(Duration.ofDays(7), null);
    }
}

package org.streamasr.stream;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Structured log lines for the lifecycle events: one line per call start and end, per failure, per evicted
 * subscriber; streams and subscribers at debug. Each line carries its facts as key-value pairs (callId, source,
 * reason, ...): the text log shows them after the message ({@code callId="c1" reason="..."}), the JSON log format
 * (ASR_LOG_FORMAT=json, logback-json.xml) puts them in each line's {@code kvpList}.
 */
public final class LoggingCallEvents implements CallEvents {
    private static final Logger LOG = LoggerFactory.getLogger("org.streamasr.calls");

    @Override
    public void callStarted(CallSession call) {
        LOG.atInfo().addKeyValue("event", "call-started").addKeyValue("callId", call.id())
                .addKeyValue("source", call.source()).addKeyValue("engine", call.engineName())
                .addKeyValue("language", call.languageInEffect())
                .log("call {} started ({}, engine {})", call.id(), call.source(), call.engineName());
    }

    @Override
    public void callFailed(CallSession call, String stage, Throwable error) {
        LOG.atWarn().addKeyValue("event", "call-failed").addKeyValue("callId", call.id())
                .addKeyValue("stage", stage).addKeyValue("error", String.valueOf(error))
                .log("call {} failed in {}: {}; ending it", call.id(), stage, error.toString());
    }

    @Override
    public void callEnded(CallSession call, String reason, Duration duration) {
        LOG.atInfo().addKeyValue("event", "call-ended").addKeyValue("callId", call.id())
                .addKeyValue("source", call.source()).addKeyValue("reason", reason)
                .addKeyValue("durationMs", duration.toMillis())
                .log("call {} ended ({}) after {} s", call.id(), reason, duration.toMillis() / 1000.0);
    }

    @Override
    public void streamOpened(CallSession call, String participantId) {
        LOG.atDebug().addKeyValue("event", "stream-opened").addKeyValue("callId", call.id())
                .addKeyValue("participant", participantId).log("call {}: stream {} opened", call.id(), participantId);
    }

    @Override
    public void streamClosed(CallSession call, String participantId, long audioMillis, boolean flushed) {
        LOG.atDebug().addKeyValue("event", "stream-closed").addKeyValue("callId", call.id())
                .addKeyValue("participant", participantId).addKeyValue("audioMs", audioMillis)
                .addKeyValue("flushed", flushed)
                .log("call {}: stream {} closed after {} ms of audio", call.id(), participantId, audioMillis);
    }

    @Override
    public void subscriberOpened(String callId) {
        LOG.atDebug().addKeyValue("event", "subscriber-opened").addKeyValue("callId", callId)
                .log("call {}: caption subscriber joined", callId);
    }

    @Override
    public void subscriberClosed(String callId, String reason, boolean evicted) {
        var line = evicted ? LOG.atWarn() : LOG.atDebug();
        line.addKeyValue("event", evicted ? "subscriber-evicted" : "subscriber-closed").addKeyValue("callId", callId)
                .addKeyValue("reason", reason)
                .log(evicted ? "call {}: caption subscriber evicted: {}" : "call {}: caption subscriber left: {}",
                        callId, reason);
    }
}

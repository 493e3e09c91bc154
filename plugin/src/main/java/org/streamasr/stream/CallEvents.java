package org.streamasr.stream;

import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamasr.media.TranscriptEvent;

/**
 * Paired lifecycle events of calls, participant streams and caption subscribers (OkHttp's {@code EventListener}):
 * every {@code callStarted} is followed by exactly one {@code callEnded} (after {@code callFailed} when it failed),
 * every {@code streamOpened} by one {@code streamClosed}, every {@code subscriberOpened} by one
 * {@code subscriberClosed}. Metrics and logs hang off these.
 *
 * <p>Called from network, engine and event threads; implementations must be thread-safe and must not block.
 */
public interface CallEvents {

    default void callStarted(CallSession call) {
    }

    /** The call failed; {@link #callEnded} with reason "failed" follows once its streams are flushed. */
    default void callFailed(CallSession call, String stage, Throwable error) {
    }

    default void callEnded(CallSession call, String reason, Duration duration) {
    }

    default void streamOpened(CallSession call, String participantId) {
    }

    /**
     * @param audioMillis audio the stream received, gaps between frames filled included, idle-finalize silence not
     * @param flushed     whether the engine delivered everything before the stream was released
     */
    default void streamClosed(CallSession call, String participantId, long audioMillis, boolean flushed) {
    }

    /**
     * A transcript event left for the call's listeners.
     *
     * @param latencyNanos for partials: time from the push of the frame that completed the audio the partial covers to
     *                     this event, or -1 when unknown
     */
    default void transcript(CallSession call, TranscriptEvent event, long latencyNanos) {
    }

    default void subscriberOpened(String callId) {
    }

    /** @param evicted true when the subscriber was closed because it could not keep up */
    default void subscriberClosed(String callId, String reason, boolean evicted) {
    }

    CallEvents NONE = new CallEvents() {
    };

    /** Forwards each event to every listener in order; a listener that throws is logged and the others still run. */
    static CallEvents composite(List<? extends CallEvents> listeners) {
        List<CallEvents> all = List.copyOf(listeners);
        Logger log = LoggerFactory.getLogger(CallEvents.class);
        return new CallEvents() {
            private void each(java.util.function.Consumer<CallEvents> event) {
                for (CallEvents l : all) {
                    try {
                        event.accept(l);
                    } catch (RuntimeException e) {
                        log.warn("call event listener {} threw", l.getClass().getName(), e);
                    }
                }
            }

            @Override
            public void callStarted(CallSession call) {
                each(l -> l.callStarted(call));
            }

            @Override
            public void callFailed(CallSession call, String stage, Throwable error) {
                each(l -> l.callFailed(call, stage, error));
            }

            @Override
            public void callEnded(CallSession call, String reason, Duration duration) {
                each(l -> l.callEnded(call, reason, duration));
            }

            @Override
            public void streamOpened(CallSession call, String participantId) {
                each(l -> l.streamOpened(call, participantId));
            }

            @Override
            public void streamClosed(CallSession call, String participantId, long audioMillis, boolean flushed) {
                each(l -> l.streamClosed(call, participantId, audioMillis, flushed));
            }

            @Override
            public void transcript(CallSession call, TranscriptEvent event, long latencyNanos) {
                each(l -> l.transcript(call, event, latencyNanos));
            }

            @Override
            public void subscriberOpened(String callId) {
                each(l -> l.subscriberOpened(callId));
            }

            @Override
            public void subscriberClosed(String callId, String reason, boolean evicted) {
                each(l -> l.subscriberClosed(callId, reason, evicted));
            }
        };
    }
}

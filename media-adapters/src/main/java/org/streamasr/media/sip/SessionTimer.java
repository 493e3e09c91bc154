package org.streamasr.media.sip;

import java.time.Duration;
import java.util.function.Predicate;
import org.streamasr.media.sip.SessionTimerNegotiation.Grant;

/**
 * One dialog's RFC 4028 session timer, armed each time a 2xx agrees on one: when the caller refreshes, the call
 * ends with a BYE if no refresh came before {@link Grant#expiry()}; when we refresh, {@code refreshDue} runs at half
 * the interval (and the expiry still ends a call whose refreshes keep failing). Runs on the call's task queue; the
 * timers hand their work back to it, and a timer that fires after being re-armed is ignored.
 */
final class SessionTimer {
    private final SipTimers timers;
    private final Predicate<Runnable> callQueue;
    private final Runnable expired;
    private final Runnable refreshDue;
    private Grant grant;
    private SipTimers.Scheduled expiry;
    private SipTimers.Scheduled refresh;
    private long generation;

    /**
     * @param callQueue  submits a task to the call's queue
     * @param expired    no refresh in time: end the call
     * @param refreshDue we are the refresher and it is time to refresh
     */
    SessionTimer(SipTimers timers, Predicate<Runnable> callQueue, Runnable expired, Runnable refreshDue) {
        this.timers = timers;
        this.callQueue = callQueue;
        this.expired = expired;
        this.refreshDue = refreshDue;
    }

    /** A 2xx agreed on {@code agreed} ({@code null}: no session timer from now on); the interval starts now. */
    void agreed(Grant agreed) {
        stop();
        grant = agreed;
        if (agreed == null) return;
        long armed = generation;
        expiry = timers.schedule(() -> callQueue.test(() -> {
            if (armed == generation) expired.run();
        }), agreed.expiry());
        if (!agreed.callerRefreshes()) refreshIn(agreed.refreshAfter());
    }

    /** Refreshes again after {@code delay} (a refresh that met a 491), keeping the expiry as it is. */
    void retryRefresh(Duration delay) {
        if (grant != null && !grant.callerRefreshes()) refreshIn(delay);
    }

    private void refreshIn(Duration delay) {
        if (refresh != null) refresh.cancel();
        long armed = generation;
        refresh = timers.schedule(() -> callQueue.test(() -> {
            if (armed == generation) refreshDue.run();
        }), delay);
    }

    /** The timer in force, or {@code null}. */
    Grant grant() {
        return grant;
    }

    void stop() {
        generation++;
        grant = null;
        if (expiry != null) expiry.cancel();
        if (refresh != null) refresh.cancel();
        expiry = null;
        refresh = null;
    }
}

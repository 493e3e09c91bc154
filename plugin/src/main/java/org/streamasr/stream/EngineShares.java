package org.streamasr.stream;

import java.util.HashMap;
import java.util.Map;

/**
 * One engine's streams shared between live calls (README "Engine capacity and fair shares"). All calls together
 * hold at most {@code capacity} streams and one call at most {@code perCall}; a participant beyond either is refused
 * on its own (its audio is discarded and counted) and never fails its call or another. Streams are never taken
 * back: the calls that came first keep what they hold (oldest calls first), and because a call's share sits below
 * the capacity, at least {@code capacity / perCall} calls always find room for their participants.
 */
final class EngineShares {
    /**
     * How shares are sized.
     *
     * @param capacity streams for calls at once; null: the engine's own limit less {@code reserved}
     * @param perCall  streams one call may hold; null: a quarter of the capacity (at least 1)
     * @param reserved streams of the engine kept for others (the hosted API's workers) when capacity is null
     */
    record Policy(Integer capacity, Integer perCall, int reserved) {
        static final Policy DEFAULT = new Policy(null, null, 0);
    }

    /** Why a stream was refused: the drop reason that counts it. */
    enum Refusal {
        CALL_SHARE("engine-share"), ENGINE_CAPACITY("engine-capacity");

        final String dropReason;

        Refusal(String dropReason) {
            this.dropReason = dropReason;
        }
    }

    private final int capacity;
    private final int perCall;
    private final Map<String, Integer> held = new HashMap<>();
    private int inUse;

    EngineShares(int engineLimit, Policy policy) {
        int cap = policy.capacity() != null ? policy.capacity()
                : engineLimit == Integer.MAX_VALUE ? Integer.MAX_VALUE : Math.max(1, engineLimit - policy.reserved());
        this.capacity = cap;
        this.perCall = policy.perCall() != null ? Math.min(policy.perCall(), cap)
                : cap == Integer.MAX_VALUE ? Integer.MAX_VALUE : Math.max(1, cap / 4);
    }

    /** Takes a stream for {@code callId}; null when granted, else why not. */
    synchronized Refusal acquire(String callId) {
        int mine = held.getOrDefault(callId, 0);
        if (mine >= perCall) return Refusal.CALL_SHARE;
        if (inUse >= capacity) return Refusal.ENGINE_CAPACITY;
        held.put(callId, mine + 1);
        inUse++;
        return null;
    }

    /** Gives back a stream of {@code callId} (exactly once per granted {@link #acquire}). */
    synchronized void release(String callId) {
        Integer mine = held.get(callId);
        if (mine == null) return;
        if (mine <= 1) held.remove(callId);
        else held.put(callId, mine - 1);
        inUse--;
    }

    int capacity() {
        return capacity;
    }

    int perCall() {
        return perCall;
    }

    synchronized int inUse() {
        return inUse;
    }
}

package org.streamasr.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.streamasr.api.store.StoreUnavailableException;

class RefreshedCountTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void aFailedRefreshKeepsTheLastValueAndLetsItAge() {
        AtomicLong now = new AtomicLong(100 * SECOND);
        AtomicInteger stored = new AtomicInteger(3);
        boolean[] reachable = {true};
        RefreshedCount count = new RefreshedCount(() -> {
            if (!reachable[0]) throw new StoreUnavailableException("unreachable", null);
            return stored.get();
        }, now::get);

        count.refresh();
        now.addAndGet(SECOND / 2);
        assertEquals(3, count.value());
        assertEquals(0.5, count.ageSeconds(), 1e-9);

        reachable[0] = false;
        stored.set(7);
        now.addAndGet(4 * SECOND);
        count.refresh();
        assertEquals(3, count.value(), "the last value read, not zero");
        assertEquals(4.5, count.ageSeconds(), 1e-9, "its age says it is stale");

        reachable[0] = true;
        count.refresh();
        assertEquals(7, count.value());
        assertEquals(0, count.ageSeconds(), 1e-9);
    }
}

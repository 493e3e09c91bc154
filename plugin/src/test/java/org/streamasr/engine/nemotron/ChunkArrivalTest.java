package org.streamasr.engine.nemotron;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** When a stream's next chunk is expected, on an injected clock. */
class ChunkArrivalTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long T0 = 5_000_000_000L;

    @Test
    void audioThatIsThereIsReadyNow() {
        ChunkArrival a = new ChunkArrival();
        a.arrived(16_000, T0);
        assertEquals(T0 + 3 * MS, a.expectedAt(8_000, 16_000, T0 + 3 * MS));
    }

    @Test
    void withoutARateThereIsNoEstimate() {
        ChunkArrival a = new ChunkArrival();
        assertEquals(ChunkArrival.NEVER, a.expectedAt(8_960, 0, T0));
        a.arrived(320, T0);
        assertEquals(ChunkArrival.NEVER, a.expectedAt(8_960, 320, T0), "one packet gives no rate");
    }

    @Test
    void aLiveStreamIsExpectedAtItsRealTimeRate() {
        ChunkArrival a = new ChunkArrival();
        for (int i = 1; i <= 50; i++) a.arrived(320L * i, T0 + 20 * MS * i);
        // 16 samples per ms; 16 000 reachable at T0 + 1000 ms; 960 more needed: 60 ms later
        assertEquals(T0 + 1060 * MS, a.expectedAt(16_960, 16_000, T0 + 1005 * MS));
    }
}

package org.streamasr.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.streamasr.testing.ManualClock;

/** Rate-limited drop logging on an injected clock: one line per reason per interval, and what the lines left out. */
class DropCounterTest {
    private static final long INTERVAL_NANOS = 10_000_000_000L;

    private final ManualClock clock = new ManualClock();
    private final DropCounter drops = new DropCounter("dc-test", clock, INTERVAL_NANOS);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private Logger logger;

    @BeforeEach
    void capture() {
        logger = (Logger) LoggerFactory.getLogger("org.streamasr.media.drops.dc-test");
        lines.start();
        logger.addAppender(lines);
    }

    @AfterEach
    void release() {
        logger.detachAppender(lines);
    }

    private List<String> logged() {
        return lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void aQuietDropIsCountedAndNeverLogged() {
        for (int i = 0; i < 3; i++) drops.dropQuietly("rtcp");
        assertEquals(3, drops.count("rtcp"));
        assertEquals(3, drops.total());
        assertEquals(List.of(), logged());
    }

    @Test
    void logsEachReasonAtMostOncePerIntervalAndTheNextLineSaysHowManyWereLeftOut() {
        drops.drop("truncated-header", "3 bytes");
        assertEquals(List.of("dc-test dropped input: truncated-header (3 bytes)"), logged());

        for (int i = 0; i < 5; i++) {
            clock.advanceMillis(1_000);
            drops.drop("truncated-header", "4 bytes");
        }
        assertEquals(1, logged().size(), "the same reason within the interval is counted, not logged: " + logged());

        drops.drop("bad-version", "version 1"); // another reason has its own interval
        assertEquals(2, logged().size());
        assertEquals("dc-test dropped input: bad-version (version 1)", logged().get(1));

        clock.advanceMillis(4_999); // 9.999 s after the first line
        drops.drop("truncated-header", "5 bytes");
        assertEquals(2, logged().size(), "one nanosecond short of the interval: " + logged());

        clock.advanceMillis(1); // exactly one interval after the first line
        drops.drop("truncated-header", "6 bytes");
        assertEquals(3, logged().size());
        assertEquals("dc-test dropped input: truncated-header (6 bytes); 6 more of this reason since the last report",
                logged().get(2), "5 + 1 drops between the two lines");

        clock.advanceMillis(10_000);
        drops.drop("truncated-header", "7 bytes");
        assertEquals("dc-test dropped input: truncated-header (7 bytes)", logged().get(3),
                "nothing was left out since the last line");

        clock.advanceMillis(3_000);
        drops.drop("bad-version", "version 3"); // 13 s after its first line, nothing left out
        assertEquals("dc-test dropped input: bad-version (version 3)", logged().get(4));
        assertEquals(5, logged().size());

        assertEquals(Map.of("truncated-header", 9L, "bad-version", 2L), drops.snapshot(), "every drop is counted");
        assertEquals(11, drops.total());
        assertEquals(0, drops.count("never-seen"));
    }

    @Test
    void aBurstLogsOneLineAndTheLineAfterItCountsTheWholeBurst() {
        for (int i = 0; i < 10_000; i++) drops.drop("oversized", "packet " + i);
        assertEquals(List.of("dc-test dropped input: oversized (packet 0)"), logged());
        clock.advanceNanos(INTERVAL_NANOS);
        drops.drop("oversized", "packet 10000");
        assertEquals("dc-test dropped input: oversized (packet 10000); 9999 more of this reason since the last report",
                logged().get(1));
        assertEquals(10_001, drops.count("oversized"));
    }
}

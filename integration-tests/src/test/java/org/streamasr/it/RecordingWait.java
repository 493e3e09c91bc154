package org.streamasr.it;

import java.time.Duration;

/** Polls a condition with a deadline (no fixed sleeps standing in for behaviour). */
final class RecordingWait {
    interface Check {
        boolean ok() throws Exception;
    }

    private RecordingWait() {
    }

    static void until(Duration timeout, String what, Check check) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!check.ok()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(50);
        }
    }
}

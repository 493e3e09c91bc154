package org.streamasr.media.adapter;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition with a deadline (tests never sleep to wait for behaviour). */
public final class Poll {
    private Poll() {
    }

    public static void until(BooleanSupplier condition, Duration timeout, Supplier<String> whatFailed) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out after " + timeout + ": " + whatFailed.get());
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    /** Waits until {@code probe} finds something, and returns it. */
    public static <T> T await(Supplier<java.util.Optional<T>> probe) {
        java.util.concurrent.atomic.AtomicReference<T> found = new java.util.concurrent.atomic.AtomicReference<>();
        until(() -> {
            probe.get().ifPresent(found::set);
            return found.get() != null;
        }, "nothing found");
        return found.get();
    }

    public static void until(BooleanSupplier condition, String whatFailed) {
        until(condition, Duration.ofSeconds(10), () -> whatFailed);
    }
}

package org.streamasr.api.http;

import java.util.concurrent.atomic.AtomicLong;
import org.streamasr.api.ApiError;

/**
 * The bytes of JSON request bodies being read and parsed at once ({@code asr.api.limits.body-budget}): each body
 * takes its share as its bytes arrive (all of a declared Content-Length at once) and gives it back when parsed. A
 * request that would pass the budget is refused with 503 and Retry-After instead of growing the heap; a burst of
 * large inline-audio requests then costs bounded memory whatever the concurrency.
 */
final class BodyBudget {
    private final long limit;
    private final AtomicLong used = new AtomicLong();

    BodyBudget(long limit) {
        this.limit = limit;
    }

    /** A claim on the budget, grown as a body arrives and closed when the body is done with (idempotent). */
    final class Claim implements AutoCloseable {
        private long held;
        private boolean closed;

        /** Grows the claim to {@code total} bytes; 503 when the budget cannot give that much now. */
        synchronized void growTo(long total) throws ApiError {
            if (closed || total <= held) return;
            long more = total - held;
            while (true) {
                long u = used.get();
                if (u + more > limit) throw exhausted();
                if (used.compareAndSet(u, u + more)) break;
            }
            held = total;
        }

        @Override
        public synchronized void close() {
            if (closed) return;
            closed = true;
            used.addAndGet(-held);
            held = 0;
        }
    }

    Claim claim() {
        return new Claim();
    }

    long used() {
        return used.get();
    }

    private ApiError exhausted() {
        return ApiError.plain(503, "runner_scheduling_failure", "the server is reading too many large request bodies "
                + "at once (asr.api.limits.body-budget of " + limit + " bytes); retry shortly");
    }
}

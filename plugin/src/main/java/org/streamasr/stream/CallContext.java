package org.streamasr.stream;

import java.time.Clock;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.streamasr.runtime.DistinctErrorLog;
import org.streamasr.runtime.DropCounter;

/**
 * What a {@link CallSession} needs from the server around it, handed down once when the call is made: the call never
 * holds its registry (sherpa-onnx's recognizer takes the stream as an argument; the stream never points back).
 *
 * @param config   the asr.calls section
 * @param events   paired lifecycle events (metrics and logs)
 * @param drops    where the calls' dropped frames and events are counted
 * @param errors   where a stage's failure is logged once per distinct error
 * @param scheduler the shared timer (finish timeouts)
 * @param eventPool where each call's transcript lane runs
 * @param clock    wall clock for start times
 * @param nanoTime monotonic clock for idle times (injected in tests)
 * @param ended    told once a call has ended and every listener was told, before its {@code ended()} completes (the
 *                 registry forgets it there)
 */
record CallContext(CallsConfig config, CallEvents events, DropCounter drops, DistinctErrorLog errors,
                   ScheduledExecutorService scheduler, Executor eventPool, Clock clock, LongSupplier nanoTime,
                   Consumer<CallSession> ended) {
}

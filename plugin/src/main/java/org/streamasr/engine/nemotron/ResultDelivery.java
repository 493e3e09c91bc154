package org.streamasr.engine.nemotron;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.streamasr.engine.RecognitionException;
import org.streamasr.engine.RecognitionListener;
import org.streamasr.engine.Utterance;

/**
 * Hands a stream's results to its listener on the engine's delivery thread, never on an inference worker: the worker
 * only queues. Per stream the events stay in order (one drain task at a time). A partial that is still queued when the
 * next partial of the same utterance comes is replaced by it (counted); finals, errors and the end are never dropped.
 * A listener that throws is reported and the stream goes on.
 */
final class ResultDelivery {
    private record Event(int kind, Utterance utterance, RecognitionException error) {
    }

    private static final int PARTIAL = 0;
    private static final int FINAL = 1;
    private static final int ERROR = 2;
    private static final int FINISHED = 3;

    private final RecognitionListener listener;
    private final Executor executor;
    private final Consumer<RuntimeException> listenerFailed;
    private final Runnable onCoalesced;
    private final ArrayDeque<Event> queue = new ArrayDeque<>();
    private boolean draining;

    ResultDelivery(RecognitionListener listener, Executor executor, Consumer<RuntimeException> listenerFailed, Runnable onCoalesced) {
        this.listener = listener;
        this.executor = executor;
        this.listenerFailed = listenerFailed;
        this.onCoalesced = onCoalesced;
    }

    void partial(Utterance u) {
        enqueue(new Event(PARTIAL, u, null));
    }

    void finalResult(Utterance u) {
        enqueue(new Event(FINAL, u, null));
    }

    void error(RecognitionException e) {
        enqueue(new Event(ERROR, null, e));
    }

    void finished() {
        enqueue(new Event(FINISHED, null, null));
    }

    private void enqueue(Event e) {
        boolean start;
        synchronized (this) {
            Event last = queue.peekLast();
            if (e.kind() == PARTIAL && last != null && last.kind() == PARTIAL && last.utterance().id().equals(e.utterance().id())) {
                queue.pollLast();
                onCoalesced.run();
            }
            queue.addLast(e);
            start = !draining;
            draining = true;
        }
        if (start) {
            try {
                executor.execute(this::drain);
            } catch (RejectedExecutionException engineClosed) {
                synchronized (this) {
                    queue.clear();
                    draining = false;
                }
            }
        }
    }

    private void drain() {
        while (true) {
            Event e;
            synchronized (this) {
                e = queue.pollFirst();
                if (e == null) {
                    draining = false;
                    return;
                }
            }
            try {
                switch (e.kind()) {
                    case PARTIAL -> listener.onPartial(e.utterance());
                    case FINAL -> listener.onFinal(e.utterance());
                    case ERROR -> listener.onError(e.error());
                    default -> listener.onFinished();
                }
            } catch (RuntimeException failure) {
                listenerFailed.accept(failure);
            }
        }
    }
}

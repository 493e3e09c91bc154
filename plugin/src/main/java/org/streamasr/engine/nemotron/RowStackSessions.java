package org.streamasr.engine.nemotron;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.file.Path;
import java.util.List;
import org.streamasr.engine.ort.RowStackGraphs;

/**
 * The stack and unstack sessions of one set of state ports ({@link RowStackGraphs}), opened per batch size on first
 * use and closed together: what {@link DeviceEncoder} (caches) and {@link DeviceDecoder} (LSTM states) share.
 */
final class RowStackSessions implements AutoCloseable {
    private final OrtSessionFactory sessions;
    private final Path file;
    private final List<RowStackGraphs.Port> ports;
    private final OrtSession[] stack;
    private final OrtSession[] unstack;

    /** @param file the model file the graphs belong to (named in errors) */
    RowStackSessions(OrtSessionFactory sessions, Path file, List<RowStackGraphs.Port> ports, int maxBatch) {
        this.sessions = sessions;
        this.file = file;
        this.ports = ports;
        this.stack = new OrtSession[maxBatch + 1];
        this.unstack = new OrtSession[maxBatch + 1];
    }

    /** The session that gathers {@code n} rows into one batch tensor per port. */
    synchronized OrtSession stack(int n) {
        if (stack[n] == null) stack[n] = sessions.open(file, RowStackGraphs.stack(n, ports));
        return stack[n];
    }

    /** The session that splits a batch tensor per port back into {@code n} rows. */
    synchronized OrtSession unstack(int n) {
        if (unstack[n] == null) unstack[n] = sessions.open(file, RowStackGraphs.unstack(n, ports));
        return unstack[n];
    }

    @Override
    public synchronized void close() {
        for (OrtSession[] byN : new OrtSession[][] {stack, unstack}) {
            for (int n = 0; n < byN.length; n++) {
                if (byN[n] == null) continue;
                try {
                    byN[n].close();
                } catch (OrtException ignored) {
                    // gone either way
                }
                byN[n] = null;
            }
        }
    }
}

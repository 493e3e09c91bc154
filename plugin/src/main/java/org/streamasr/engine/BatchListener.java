package org.streamasr.engine;

/**
 * Told about each batch a batching engine runs (its inference workers call it, after the batch): how many streams
 * it carried and how long it took. Metrics hang off it. Must be thread-safe and must not block.
 */
@FunctionalInterface
public interface BatchListener {

    /**
     * @param size     streams in the batch
     * @param runNanos time the batch took on its worker
     */
    void batchRun(int size, long runNanos);
}

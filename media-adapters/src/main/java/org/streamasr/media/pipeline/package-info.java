/**
 * Building blocks of media pipelines: the counting {@link org.streamasr.media.pipeline.Stage} base class, the
 * resample and framing stages, {@link org.streamasr.media.pipeline.StageChain} (the linked stages of one participant,
 * walked once for statistics and once for teardown), and the threading model ({@link org.streamasr.media.pipeline.MediaExecutors}: a CPU
 * pool sized to the cores and one timer; {@link org.streamasr.media.pipeline.SerialWorker}: one stream's work on the
 * pool, never concurrently with itself).
 */
package org.streamasr.media.pipeline;

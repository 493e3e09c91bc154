package org.streamasr.tools.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** bench-media's table: rates only where something was measured. */
class RtpDecodeBenchTest {
    @Test
    void aFigureWithinStartUpNoiseOrMissingShowsAsNotAvailable() {
        RtpDecodeBench.Result measured = new RtpDecodeBench.Result("opus", 10, 2, 0.04, 0.05);
        assertEquals("opus          0.00200        0.00250              500              400", measured.row());
        // a 5 s run: ffmpeg's cost minus its start-up came out below zero
        RtpDecodeBench.Result noise = new RtpDecodeBench.Result("pcmu", 5, 1, 0.011, -0.015);
        assertEquals("pcmu          0.00220            n/a              455              n/a", noise.row());
        RtpDecodeBench.Result noFfmpeg = new RtpDecodeBench.Result("pcmu", 5, 1, 0.011, Double.NaN);
        assertEquals("pcmu          0.00220            n/a              455              n/a", noFfmpeg.row());
    }
}

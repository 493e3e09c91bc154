package org.streamasr.engine.features;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a 2-D little-endian float32 array as a NumPy {@code .npy} file (format version 1.0), row by row, so large
 * feature matrices never sit in memory whole. The row count is fixed up front (it goes in the header); closing
 * before all rows were written fails rather than leave a file that numpy would reject.
 */
public final class NpyWriter implements AutoCloseable {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};

    private final OutputStream out;
    private final long rows;
    private final int cols;
    private final ByteBuffer scratch;
    private long written;

    public NpyWriter(Path file, long rows, int cols) throws IOException {
        if (rows < 0 || cols <= 0) throw new IllegalArgumentException("bad shape (" + rows + ", " + cols + ")");
        this.rows = rows;
        this.cols = cols;
        this.scratch = ByteBuffer.allocate(cols * 4 * 64).order(ByteOrder.LITTLE_ENDIAN);
        this.out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
        try {
            out.write(header(rows, cols));
        } catch (IOException e) {
            out.close();
            throw e;
        }
    }

    /** The complete header: magic, version, length, and the dict padded with spaces to a multiple of 64 bytes. */
    static byte[] header(long rows, int cols) {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + rows + ", " + cols + "), }";
        int unpadded = MAGIC.length + 2 + dict.length() + 1;
        int total = (unpadded + 63) / 64 * 64;
        String padded = dict + " ".repeat(total - unpadded) + "\n";
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putShort((short) padded.length()).put(padded.getBytes(StandardCharsets.US_ASCII));
        return b.array();
    }

    /** Appends {@code count} rows from {@code data} starting at {@code offset} (row-major, {@code cols} per row). */
    public void writeRows(float[] data, int offset, int count) throws IOException {
        if (written + count > rows) throw new IllegalStateException("more rows than the " + rows + " declared");
        int rowsPerBatch = scratch.capacity() / (cols * 4);
        for (int r = 0; r < count; r += rowsPerBatch) {
            int n = Math.min(rowsPerBatch, count - r);
            scratch.clear();
            scratch.asFloatBuffer().put(data, offset + r * cols, n * cols);
            out.write(scratch.array(), 0, n * cols * 4);
        }
        written += count;
    }

    @Override
    public void close() throws IOException {
        out.close();
        if (written != rows) throw new IOException("npy file closed after " + written + " of " + rows + " rows");
    }
}

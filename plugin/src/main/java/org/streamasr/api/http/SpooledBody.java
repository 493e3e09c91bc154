package org.streamasr.api.http;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A request body as it arrives: the first {@link #MEMORY_LIMIT} bytes in memory, the rest spilled to a temporary
 * file, so that a 30 MB JSON body with inline audio costs the heap a few kilobytes. Read back from any offset
 * ({@link #open(long)}), which lets the JSON reader stream one large value out of the file. Owned by one exchange;
 * {@link #close()} deletes the file.
 */
final class SpooledBody implements HttpExchange.BodySink, AutoCloseable {
    static final int MEMORY_LIMIT = 64 * 1024;

    private final Path tempDir;
    private byte[] memory = new byte[4096];
    private int inMemory;
    private Path file;
    private FileChannel channel;
    private long size;

    SpooledBody(Path tempDir) {
        this.tempDir = tempDir;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (channel == null && inMemory + len <= MEMORY_LIMIT) {
            if (inMemory + len > memory.length) memory = Arrays.copyOf(memory, Math.min(MEMORY_LIMIT, Math.max(inMemory + len, memory.length * 2)));
            System.arraycopy(b, off, memory, inMemory, len);
            inMemory += len;
        } else {
            if (channel == null) spill();
            ByteBuffer buf = ByteBuffer.wrap(b, off, len);
            while (buf.hasRemaining()) channel.write(buf);
        }
        size += len;
    }

    private void spill() throws IOException {
        file = Files.createTempFile(tempDir, "body-", ".json");
        channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.READ);
        channel.write(ByteBuffer.wrap(memory, 0, inMemory));
        memory = null;
    }

    long size() {
        return size;
    }

    /** Whether the body went to a file (larger than {@link #MEMORY_LIMIT}). */
    boolean spilled() {
        return channel != null;
    }

    /** The body from byte {@code offset} on. */
    InputStream open(long offset) throws IOException {
        if (channel == null) return new ByteArrayInputStream(memory, (int) Math.min(offset, inMemory), (int) Math.max(0, inMemory - offset));
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        ch.position(offset);
        return new BufferedInputStream(Channels.newInputStream(ch), 64 * 1024);
    }

    @Override
    public void close() {
        memory = null;
        if (channel == null) return;
        try {
            channel.close();
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // the API's temp directory is emptied at the next start
        }
    }
}

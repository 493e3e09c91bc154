package org.streamasr.media.wav;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads and writes 16-bit PCM RIFF/WAVE files (any rate and channel count). Anything else (floats, compressed
 * formats) is rejected with a message; decode those with ffmpeg first.
 *
 * @param samples interleaved samples, {@code channels} per frame
 */
public record WavFile(int sampleRate, int channels, short[] samples) {

    public int frames() {
        return samples.length / channels;
    }

    public double durationSeconds() {
        return frames() / (double) sampleRate;
    }

    /** Channel 0 only, or the average of all channels. */
    public short[] mono() {
        if (channels == 1) return samples.clone();
        short[] out = new short[frames()];
        for (int i = 0; i < out.length; i++) {
            int sum = 0;
            for (int c = 0; c < channels; c++) sum += samples[i * channels + c];
            out[i] = (short) Math.round(sum / (double) channels);
        }
        return out;
    }

    public static WavFile read(Path file) throws IOException {
        return parse(Files.readAllBytes(file), file.toString());
    }

    public static WavFile parse(byte[] bytes, String name) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 12 || b.getInt(0) != 0x46464952 || b.getInt(8) != 0x45564157) {
            throw new IOException(name + ": not a RIFF/WAVE file");
        }
        int pos = 12;
        int rate = -1;
        int channels = -1;
        int bits = -1;
        int format = -1;
        while (pos + 8 <= bytes.length) {
            int id = b.getInt(pos);
            long size = Integer.toUnsignedLong(b.getInt(pos + 4));
            int body = pos + 8;
            if (id == 0x20746d66) { // "fmt "
                if (size < 16) throw new IOException(name + ": fmt chunk too short");
                format = b.getShort(body) & 0xffff;
                channels = b.getShort(body + 2) & 0xffff;
                rate = b.getInt(body + 4);
                bits = b.getShort(body + 14) & 0xffff;
                if (format == 0xFFFE && size >= 26) format = b.getShort(body + 24) & 0xffff; // WAVE_FORMAT_EXTENSIBLE
            } else if (id == 0x61746164) { // "data"
                if (format != 1 || bits != 16) {
                    throw new IOException(name + ": only 16-bit PCM WAV is read directly (format " + format + ", "
                            + bits + " bits)");
                }
                if (channels < 1 || rate < 1) throw new IOException(name + ": bad channel count or rate");
                long avail = Math.min(size, bytes.length - body);
                int n = (int) (avail / 2);
                n -= n % channels;
                short[] samples = new short[n];
                b.position(body);
                b.asShortBuffer().get(samples, 0, n);
                return new WavFile(rate, channels, samples);
            }
            pos = body + (int) size + (int) (size & 1);
        }
        throw new IOException(name + ": no data chunk");
    }

    public void write(Path file) throws IOException {
        Files.write(file, toBytes());
    }

    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(44 + samples.length * 2);
        try {
            writeTo(out);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    public void writeTo(OutputStream out) throws IOException {
        int dataBytes = samples.length * 2;
        ByteBuffer h = ByteBuffer.allocate(44 + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0x46464952).putInt(36 + dataBytes).putInt(0x45564157);
        h.putInt(0x20746d66).putInt(16).putShort((short) 1).putShort((short) channels).putInt(sampleRate)
                .putInt(sampleRate * channels * 2).putShort((short) (channels * 2)).putShort((short) 16);
        h.putInt(0x61746164).putInt(dataBytes);
        for (short s : samples) h.putShort(s);
        out.write(h.array());
    }

    /** PCM16 to floats in [-1, 1). */
    public static float[] toFloat(short[] pcm) {
        float[] out = new float[pcm.length];
        for (int i = 0; i < pcm.length; i++) out[i] = pcm[i] / 32768f;
        return out;
    }

    /** Floats to PCM16, clipped. */
    public static short[] toPcm16(float[] samples) {
        short[] out = new short[samples.length];
        for (int i = 0; i < samples.length; i++) {
            float v = Math.max(-1f, Math.min(1f, samples[i])) * 32767f;
            out[i] = (short) Math.round(v);
        }
        return out;
    }
}

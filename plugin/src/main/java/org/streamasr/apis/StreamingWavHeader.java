package org.streamasr.apis;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Finds the format of a WAV stream from its first bytes (Deepgram clients may stream a file as it is, header first,
 * without {@code encoding}): collects bytes until the {@code data} chunk starts, then says the format and hands back
 * the audio that followed the header.
 */
public final class StreamingWavHeader {
    /** The stream's format: {@code encoding} is linear16, mulaw or alaw. */
    public record Format(String encoding, int sampleRate, int channels) {
    }

    /** The stream is not a WAV file this server decodes. */
    public static final class NotWavException extends Exception {
        public NotWavException(String message) {
            super(message);
        }
    }

    private static final int MAX_HEADER = 64 * 1024;
    private final ByteArrayOutputStream head = new ByteArrayOutputStream();
    private Format format;
    private ByteBuffer rest;

    /**
     * Adds bytes; returns true once the header is complete ({@link #format()} and {@link #audioAfterHeader()} are set).
     */
    public boolean accept(ByteBuffer data) throws NotWavException {
        byte[] b = new byte[data.remaining()];
        data.get(b);
        head.writeBytes(b);
        byte[] all = head.toByteArray();
        if (all.length >= 4 && !(all[0] == 'R' && all[1] == 'I' && all[2] == 'F' && all[3] == 'F')) {
            throw new NotWavException("the audio has no encoding parameter and is not a WAV (RIFF) stream; set "
                    + "encoding and sample_rate for raw audio");
        }
        if (all.length < 12) return false;
        ByteBuffer buf = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        int pos = 12;
        Format fmt = null;
        while (pos + 8 <= all.length) {
            String id = new String(all, pos, 4, java.nio.charset.StandardCharsets.US_ASCII);
            int len = buf.getInt(pos + 4);
            if (id.equals("data")) {
                if (fmt == null) throw new NotWavException("WAV data chunk before its fmt chunk");
                format = fmt;
                rest = ByteBuffer.wrap(all, pos + 8, all.length - pos - 8).slice();
                return true;
            }
            if (pos + 8 + len > all.length) break;
            if (id.equals("fmt ")) fmt = format(buf, pos + 8);
            pos += 8 + len + (len & 1);
        }
        if (all.length > MAX_HEADER) throw new NotWavException("no WAV data chunk in the first " + MAX_HEADER + " bytes");
        return false;
    }

    private static Format format(ByteBuffer b, int at) throws NotWavException {
        int tag = b.getShort(at) & 0xffff;
        int channels = b.getShort(at + 2);
        int rate = b.getInt(at + 4);
        int bits = b.getShort(at + 14);
        if (tag == 0xfffe) tag = b.getShort(at + 24) & 0xffff; // WAVE_FORMAT_EXTENSIBLE: the sub-format GUID's tag
        String encoding;
        if (tag == 1 && bits == 16) encoding = "linear16";
        else if (tag == 7 && bits == 8) encoding = "mulaw";
        else if (tag == 6 && bits == 8) encoding = "alaw";
        else throw new NotWavException("WAV format " + tag + " with " + bits + "-bit samples is not decoded here; send "
                    + "16-bit PCM, mu-law or A-law");
        if (channels < 1 || rate < 8000) throw new NotWavException("WAV with " + channels + " channels at " + rate + " Hz");
        return new Format(encoding, rate, channels);
    }

    public Format format() {
        return format;
    }

    /** The audio bytes that came after the header in what was accepted. */
    public ByteBuffer audioAfterHeader() {
        return rest;
    }
}

package org.streamasr.apis;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Ogg Opus as it streams in (Deepgram's {@code encoding=opus}/{@code ogg-opus}, or an Ogg stream without an
 * encoding), demuxed on the connection's thread: pages are parsed as their bytes arrive, packets joined across
 * pages, the {@code OpusHead} and {@code OpusTags} packets checked and skipped, and each audio packet handed out as
 * it is. Only framing happens here: the packets are decoded by the ingest pipeline on the media pool
 * ({@link LiveAudio#opusPacket}).
 */
public final class OggOpusStream {
    private static final int MAX_PAGE = 27 + 255 + 255 * 255;

    /** The bytes are not an Ogg Opus stream. */
    public static final class NotOggOpusException extends Exception {
        public NotOggOpusException(String message) {
            super(message);
        }
    }

    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private final ByteArrayOutputStream packet = new ByteArrayOutputStream();
    private int packets;

    /** Consumes {@code data}; returns the Opus audio packets it completed, in order (empty packets left out). */
    public List<byte[]> accept(ByteBuffer data) throws NotOggOpusException {
        byte[] in = new byte[data.remaining()];
        data.get(in);
        pending.writeBytes(in);
        byte[] b = pending.toByteArray();
        List<byte[]> out = new ArrayList<>();
        int pos = 0;
        while (b.length - pos >= 27) {
            if (b[pos] != 'O' || b[pos + 1] != 'g' || b[pos + 2] != 'g' || b[pos + 3] != 'S') {
                throw new NotOggOpusException("not an Ogg stream (no OggS page at byte " + pos + ")");
            }
            int segments = b[pos + 26] & 0xff;
            if (b.length - pos < 27 + segments) break;
            int body = 0;
            for (int i = 0; i < segments; i++) body += b[pos + 27 + i] & 0xff;
            int end = pos + 27 + segments + body;
            if (end > b.length) break;
            int at = pos + 27 + segments;
            for (int i = 0; i < segments; i++) {
                int len = b[pos + 27 + i] & 0xff;
                packet.write(b, at, len);
                at += len;
                if (len < 255) packetDone(out);
            }
            pos = end;
        }
        pending.reset();
        pending.write(b, pos, b.length - pos);
        if (pending.size() > MAX_PAGE) throw new NotOggOpusException("Ogg page larger than the format allows");
        return out;
    }

    private void packetDone(List<byte[]> out) throws NotOggOpusException {
        byte[] p = packet.toByteArray();
        packet.reset();
        int index = packets++;
        if (index == 0) {
            if (p.length < 8 || !new String(p, 0, 8, java.nio.charset.StandardCharsets.US_ASCII).equals("OpusHead")) {
                throw new NotOggOpusException("the Ogg stream is not Opus (no OpusHead)");
            }
            return;
        }
        if (index == 1 || p.length == 0) return; // OpusTags
        out.add(p);
    }
}

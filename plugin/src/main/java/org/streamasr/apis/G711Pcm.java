package org.streamasr.apis;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.streamasr.media.g711.G711;

/** G.711 bytes (mu-law or A-law, as Deepgram's mulaw/alaw and OpenAI's pcmu/pcma) to little-endian 16-bit PCM. */
public final class G711Pcm {
    private G711Pcm() {
    }

    public static ByteBuffer decode(ByteBuffer g711, boolean ulaw) {
        ByteBuffer out = ByteBuffer.allocate(g711.remaining() * 2).order(ByteOrder.LITTLE_ENDIAN);
        while (g711.hasRemaining()) {
            byte b = g711.get();
            out.putShort(ulaw ? G711.ulawToLinear(b) : G711.alawToLinear(b));
        }
        out.flip();
        return out;
    }
}

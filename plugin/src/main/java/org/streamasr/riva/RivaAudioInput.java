package org.streamasr.riva;

import com.google.protobuf.ByteString;
import io.grpc.StatusException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import nvidia.riva.RivaAudio.AudioEncoding;
import org.streamasr.media.codec.AudioCodec;
import org.streamasr.media.g711.G711Decoder;
import org.streamasr.media.ingest.InterleavedPcm;
import org.streamasr.media.ingest.ParticipantIngest;

/**
 * The parsing side of one StreamingRecognize call's {@code audio_content}: a WAV header at the start is read (and
 * wins over the config), then the participant's {@link ParticipantIngest} is built for the format and takes the audio
 * at the input rate: LINEAR_PCM (split anywhere, even inside a sample) as samples, MULAW/ALAW as packets of at most
 * 100 ms, numbered and stamped here, which its decode stage expands on the media pool (never on the gRPC thread).
 * The ingest's hand-off queue is the bound (10 s of media, drop-oldest, counted), as for the other live APIs.
 * Confined to the call's serialized gRPC callbacks.
 */
final class RivaAudioInput {
    /** Bytes held while looking for the end of a WAV header. */
    private static final int MAX_HEADER_BYTES = 1 << 20;
    /** The most G.711 one packet carries: the hand-off queue counts a packet's media time from its timestamps. */
    private static final int MAX_G711_PACKET_MS = 100;

    private final ParticipantIngest.Builder pipeline;
    private RivaAudioFormat format;
    private ByteBuffer header; // non-null while the start of the audio is being sniffed
    private ParticipantIngest ingest; // built once the format is known
    private InterleavedPcm pcm; // LINEAR_PCM only
    private long inputBytes;
    private long packetIndex;

    /** @param pipeline the participant's ingest, built here once the audio's format is known */
    RivaAudioInput(RivaAudioFormat declared, ParticipantIngest.Builder pipeline) {
        this.format = declared;
        this.pipeline = pipeline;
        this.header = ByteBuffer.allocate(0);
    }

    /** Seconds of audio received so far (Riva's {@code audio_processed}). */
    float secondsReceived() {
        if (format.sampleRate() == 0) return 0f;
        return (float) (inputBytes / (double) format.bytesPerSample() / format.sampleRate());
    }

    void accept(ByteString bytes) throws StatusException {
        ByteBuffer data = bytes.asReadOnlyByteBuffer();
        if (header != null) {
            data = sniff(data);
            if (data == null) return;
        }
        long before = inputBytes;
        inputBytes += data.remaining();
        if (pcm != null) {
            pcm.accept(data);
        } else {
            g711Packets(data, before);
        }
    }

    /** G.711 bytes (one a sample) as packets of at most {@link #MAX_G711_PACKET_MS}, stamped in samples. */
    private void g711Packets(ByteBuffer data, long firstSample) {
        int max = Math.max(1, format.sampleRate() * MAX_G711_PACKET_MS / 1000);
        long timestamp = firstSample;
        while (data.hasRemaining()) {
            byte[] packet = new byte[Math.min(max, data.remaining())];
            data.get(packet);
            ingest.onPacket(packetIndex++, timestamp, packet);
            timestamp += packet.length;
        }
    }

    /** Collects the start of the audio until its format is known; returns the bytes after any header, or null. */
    private ByteBuffer sniff(ByteBuffer data) throws StatusException {
        ByteBuffer all = ByteBuffer.allocate(header.remaining() + data.remaining());
        all.put(header).put(data).flip();
        if (all.remaining() < 12) {
            header = all;
            return null;
        }
        if (RivaAudioFormat.startsWithRiff(all)) {
            RivaAudioFormat.WavHeader wav = RivaAudioFormat.parseWav(all);
            if (wav == null) {
                if (all.remaining() > MAX_HEADER_BYTES) throw RivaAudioFormat.invalid("WAV header over 1 MiB");
                header = all;
                return null;
            }
            format = wav.format();
            all.position(all.position() + wav.dataOffset());
        } else if (format.encoding() == AudioEncoding.ENCODING_UNSPECIFIED) {
            String container = RivaAudioFormat.containerName(all);
            if (container != null) {
                throw RivaAudioFormat.invalid(container + " audio is not supported for StreamingRecognize here; "
                        + "stream LINEAR_PCM, MULAW or ALAW (or WAV), or send the whole file to Recognize");
            }
            if (format.sampleRate() == 0) {
                throw RivaAudioFormat.invalid("encoding and sample_rate_hertz are unset and the audio has no WAV "
                        + "header; set encoding LINEAR_PCM and sample_rate_hertz");
            }
            format = new RivaAudioFormat(AudioEncoding.LINEAR_PCM, format.sampleRate());
        }
        header = null;
        build();
        return all;
    }

    /** The participant's pipeline for the known format: samples for LINEAR_PCM, a G.711 decoder for MULAW/ALAW. */
    private void build() {
        AudioEncoding e = format.encoding();
        if (e == AudioEncoding.MULAW || e == AudioEncoding.ALAW) {
            AudioCodec codec = e == AudioEncoding.MULAW ? AudioCodec.PCMU : AudioCodec.PCMA;
            // numbered and stamped here without gaps over a reliable stream: nothing is ever concealed or filled
            pipeline.packets(new G711Decoder(codec, format.sampleRate()), format.sampleRate(), Duration.ZERO,
                    Duration.ZERO);
            ingest = pipeline.build();
        } else {
            ingest = pipeline.build();
            pcm = new InterleavedPcm(List.of(ingest), format.sampleRate(), false);
        }
    }

    /** Ends the audio: what is queued plays out and the participant's stream closes (finals follow). Idempotent. */
    CompletableFuture<Void> close() {
        if (ingest == null) {
            header = null; // no audio (or not even a whole header) came: an empty pipeline closes the participant
            ingest = pipeline.build();
        }
        return ingest.close();
    }
}

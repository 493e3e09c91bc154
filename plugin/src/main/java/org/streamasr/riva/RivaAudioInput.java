package org.streamasr.riva;

import com.google.protobuf.ByteString;
import io.grpc.StatusException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import nvidia.riva.RivaAudio.AudioEncoding;
import org.streamasr.media.g711.G711;
import org.streamasr.media.ingest.InterleavedPcm;
import org.streamasr.media.ingest.ParticipantIngest;

/**
 * The parsing side of one StreamingRecognize call's {@code audio_content}: a WAV header at the start is read (and
 * wins over the config), then LINEAR_PCM (split anywhere, even inside a sample) or MULAW/ALAW (expanded) goes to the
 * participant's {@link ParticipantIngest} at the input rate, which resamples and frames it on the media pool.
 * Confined to the call's serialized gRPC callbacks.
 */
final class RivaAudioInput {
    /** Bytes held while looking for the end of a WAV header. */
    private static final int MAX_HEADER_BYTES = 1 << 20;

    private final ParticipantIngest ingest;
    private RivaAudioFormat format;
    private ByteBuffer header; // non-null while the start of the audio is being sniffed
    private InterleavedPcm pcm;
    private long inputBytes;

    RivaAudioInput(RivaAudioFormat declared, ParticipantIngest ingest) {
        this.format = declared;
        this.ingest = ingest;
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
        inputBytes += data.remaining();
        if (format.encoding() == AudioEncoding.LINEAR_PCM) {
            pcm.accept(data);
        } else {
            short[] out = new short[data.remaining()];
            boolean ulaw = format.encoding() == AudioEncoding.MULAW;
            for (int i = 0; i < out.length; i++) {
                byte b = data.get();
                out[i] = ulaw ? G711.ulawToLinear(b) : G711.alawToLinear(b);
            }
            ingest.onPcm(out, format.sampleRate());
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
        if (format.encoding() == AudioEncoding.LINEAR_PCM) pcm = new InterleavedPcm(List.of(ingest), format.sampleRate(), false);
        return all;
    }

    /** Ends the audio: what is queued plays out and the participant's stream closes (finals follow). Idempotent. */
    CompletableFuture<Void> close() {
        return ingest.close();
    }
}

package org.streamasr.riva;

import io.grpc.Status;
import io.grpc.StatusException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import nvidia.riva.RivaAudio.AudioEncoding;
import nvidia.riva.asr.RivaAsr.RecognitionConfig;

/**
 * What a Riva {@code RecognitionConfig} says of the audio, checked the way Riva answers a bad config
 * (INVALID_ARGUMENT, naming the field), and what a WAV header at the start of the audio says instead: Riva's own
 * CLI streams a WAV file from byte 0 with neither encoding nor rate set.
 *
 * @param encoding LINEAR_PCM (16-bit little-endian), MULAW or ALAW; ENCODING_UNSPECIFIED until a header told
 * @param sampleRate input rate in Hz; 0 until a header told
 */
record RivaAudioFormat(AudioEncoding encoding, int sampleRate) {
    static final int MIN_RATE = 8_000;
    static final int MAX_RATE = 48_000;

    boolean known() {
        return encoding != AudioEncoding.ENCODING_UNSPECIFIED && sampleRate > 0;
    }

    int bytesPerSample() {
        return encoding == AudioEncoding.LINEAR_PCM ? 2 : 1;
    }

    /** The format a streaming config declares; unknown (to be sniffed) when it declares none. */
    static RivaAudioFormat ofStreaming(RecognitionConfig c) throws StatusException {
        checkCommon(c);
        AudioEncoding e = c.getEncoding();
        int rate = c.getSampleRateHertz();
        switch (e) {
            case ENCODING_UNSPECIFIED:
                // a WAV header may follow; without one the audio is LINEAR_PCM at the declared rate
                if (rate != 0) checkRate(rate);
                return new RivaAudioFormat(AudioEncoding.ENCODING_UNSPECIFIED, rate);
            case LINEAR_PCM:
                if (rate == 0) throw invalid("sample_rate_hertz is required for LINEAR_PCM");
                checkRate(rate);
                return new RivaAudioFormat(e, rate);
            case MULAW:
            case ALAW:
                if (rate == 0) rate = 8_000;
                checkRate(rate);
                return new RivaAudioFormat(e, rate);
            case FLAC:
            case OGGOPUS:
                throw invalid("encoding " + e + " is not supported for StreamingRecognize here; stream LINEAR_PCM, "
                        + "MULAW or ALAW (or a WAV file), or send the whole file to Recognize");
            default:
                throw invalid("unknown encoding " + c.getEncodingValue() + "; use LINEAR_PCM, MULAW or ALAW");
        }
    }

    /** Checks shared by both RPCs. */
    static void checkCommon(RecognitionConfig c) throws StatusException {
        if (c.getAudioChannelCount() > 1) {
            throw invalid("audio_channel_count " + c.getAudioChannelCount() + ": only mono audio is supported");
        }
        if (c.getAudioChannelCount() < 0) throw invalid("audio_channel_count must not be negative");
        if (c.getMaxAlternatives() < 0) throw invalid("max_alternatives must not be negative");
        if (c.getSampleRateHertz() < 0) throw invalid("sample_rate_hertz must not be negative");
    }

    private static void checkRate(int rate) throws StatusException {
        if (rate < MIN_RATE || rate > MAX_RATE) {
            throw invalid("sample_rate_hertz " + rate + " is outside " + MIN_RATE + ".." + MAX_RATE);
        }
    }

    static StatusException invalid(String message) {
        return Status.INVALID_ARGUMENT.withDescription(message).asException();
    }

    // ---- WAV headers ----

    static boolean startsWithRiff(ByteBuffer b) {
        return b.remaining() >= 12 && ascii(b, 0).equals("RIFF") && ascii(b, 8).equals("WAVE");
    }

    /** Container signatures that streaming does not take. */
    static String containerName(ByteBuffer b) {
        if (b.remaining() >= 4 && ascii(b, 0).equals("fLaC")) return "FLAC";
        if (b.remaining() >= 4 && ascii(b, 0).equals("OggS")) return "Ogg";
        return null;
    }

    /** A parsed WAV header: the format and where the sample data starts. */
    record WavHeader(RivaAudioFormat format, int dataOffset) {
    }

    /**
     * Parses the RIFF/WAVE header at the start of {@code b} (position unchanged).
     *
     * @return null when more bytes are needed to reach the data chunk
     * @throws StatusException INVALID_ARGUMENT for a header this server cannot take (not mono, not 16-bit PCM or G.711)
     */
    static WavHeader parseWav(ByteBuffer b) throws StatusException {
        ByteBuffer in = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int base = in.position();
        int pos = 12;
        RivaAudioFormat format = null;
        while (true) {
            if (in.remaining() < pos + 8) return null;
            String id = ascii(in, pos);
            long size = Integer.toUnsignedLong(in.getInt(base + pos + 4));
            if (id.equals("fmt ")) {
                if (in.remaining() < pos + 8 + 16) return null;
                int tag = in.getShort(base + pos + 8) & 0xffff;
                int channels = in.getShort(base + pos + 10) & 0xffff;
                int rate = in.getInt(base + pos + 12);
                int bits = in.getShort(base + pos + 22) & 0xffff;
                if (tag == 0xFFFE && size >= 40) {
                    if (in.remaining() < pos + 8 + 26) return null;
                    tag = in.getShort(base + pos + 8 + 24) & 0xffff; // the sub-format GUID's first two bytes
                }
                if (channels != 1) throw invalid("the WAV audio has " + channels + " channels: only mono is supported");
                AudioEncoding e = switch (tag) {
                    case 1 -> bits == 16 ? AudioEncoding.LINEAR_PCM : null;
                    case 6 -> AudioEncoding.ALAW;
                    case 7 -> AudioEncoding.MULAW;
                    default -> null;
                };
                if (e == null) {
                    throw invalid("WAV format " + tag + " with " + bits + "-bit samples is not supported; use 16-bit "
                            + "PCM, mu-law or A-law");
                }
                checkRate(rate);
                format = new RivaAudioFormat(e, rate);
            } else if (id.equals("data")) {
                if (format == null) throw invalid("the WAV header has no fmt chunk before its data");
                return new WavHeader(format, pos + 8);
            }
            long next = pos + 8 + size + (size & 1);
            if (next > 1 << 20) throw invalid("the WAV header is longer than 1 MiB before its data");
            pos = (int) next;
        }
    }

    private static String ascii(ByteBuffer b, int offset) {
        byte[] four = new byte[4];
        for (int i = 0; i < 4; i++) four[i] = b.get(b.position() + offset + i);
        return new String(four, StandardCharsets.US_ASCII);
    }
}

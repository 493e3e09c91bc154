package org.streamasr.media.jitsi;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.streamasr.runtime.DropCounter;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.codec.AudioCodec;
import org.streamasr.media.codec.AudioDecoder;
import org.streamasr.media.codec.AudioDecoders;
import org.streamasr.media.codec.CodecSpec;
import org.streamasr.media.ParticipantAudio;
import org.streamasr.media.ingest.ParticipantIngest;

/**
 * One source tag of a MEDIAJSON connection: its announced format and its {@link ParticipantIngest} (ordering by
 * {@code chunk}, placement by {@code timestamp}, concealment, silence).
 */
final class SourceStream {
    private final String tag;
    private final ParticipantIngest source;
    private final MediaMetrics metrics;
    private final DropCounter drops;
    private String format;

    SourceStream(MediaJsonCodec.Start start, AudioDecoder decoder, ParticipantAudio audio, Executor mediaPool,
                 MediaJsonConfig config, MediaMetrics metrics, DropCounter drops) {
        this.tag = start.tag();
        this.metrics = metrics;
        this.drops = drops;
        this.format = formatOf(start);
        this.source = ParticipantIngest.builder(audio, mediaPool, metrics, MediaJsonSession.COMPONENT)
                .label("tag " + tag)
                .packets(decoder, decoder.spec().clockRate(), config.concealCap(), config.silenceCap())
                .build();
    }

    /**
     * The decoder for a start event's format: Opus (what the bridge sends; its clock is 48 kHz whatever the event
     * says), G.711, G.722, or L16 (network byte order) at any rate and channel count. {@code null} when the format is
     * not one of these.
     *
     * @throws IllegalStateException when the codec's native library cannot be loaded
     */
    static AudioDecoder openDecoder(MediaJsonCodec.Start start) {
        AudioCodec codec = AudioCodec.byName(start.encoding()).orElse(null);
        if (codec == null) return null;
        CodecSpec spec;
        try {
            spec = codec == AudioCodec.L16 ? CodecSpec.l16(start.sampleRate(), start.channels()) : CodecSpec.of(codec);
        } catch (IllegalArgumentException e) {
            return null;
        }
        return AudioDecoders.open(spec);
    }

    String participantId() {
        return source.participantId();
    }

    /**
     * A second {@code start} for this tag: the same format continues the stream (a new talk, or a repeat); a new
     * format gets a new decoder on the same participant.
     *
     * @return false when the new format is not supported (the stream keeps its old decoder)
     */
    boolean restart(MediaJsonCodec.Start start) {
        if (formatOf(start).equals(format)) {
            if (start.timestamp() == null) drops.drop("duplicate-start", "tag " + tag);
            return true;
        }
        AudioDecoder next = openDecoder(start);
        if (next == null) return false;
        source.switchDecoder(next, next.spec().clockRate());
        format = formatOf(start);
        metrics.counter(MediaJsonSession.COMPONENT + ".sources.format-changes").increment();
        return true;
    }

    void onMedia(MediaJsonCodec.Media media) {
        source.onPacket(media.chunk(), media.timestamp(), media.payload());
    }

    void endTalk() {
        source.endTalk();
    }

    CompletableFuture<Void> close() {
        return source.close();
    }

    private static String formatOf(MediaJsonCodec.Start start) {
        return start.encoding() + "/" + start.sampleRate() + "/" + start.channels();
    }
}

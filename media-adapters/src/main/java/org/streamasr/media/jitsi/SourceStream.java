package org.streamasr.media.jitsi;

import org.streamasr.media.DropCounter;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.PcmFrame;
import org.streamasr.media.adapter.PacketClock;
import org.streamasr.media.adapter.ParticipantFeed;

/**
 * One source tag of a MEDIAJSON connection: its decoder, its packet clock and its participant's feed.
 *
 * <p>A packet whose {@code chunk} is not past the last one is a duplicate or late and is dropped ({@code chunkDelta
 * <= 0}, as Jitsi's own transcriber proxy does). A timestamp gap before a packet is covered in order: when packets
 * were lost, up to {@code concealCap} of it with the decoder's concealment (forward error correction from this packet
 * when the whole gap fits, packet-loss concealment otherwise); the rest, and gaps with no loss (DTX, a muted
 * microphone), with silence up to {@code silenceCap}, beyond which the media clock jumps.
 */
final class SourceStream {
    private final String tag;
    private final ParticipantFeed feed;
    private final PacketDecoders decoders;
    private final MediaJsonConfig config;
    private final MediaMetrics metrics;
    private final DropCounter drops;

    private PacketDecoder decoder;
    private String format;
    private PacketClock clock;
    private long base;
    private long lastTimestamp;

    SourceStream(MediaJsonCodec.Start start, PacketDecoder decoder, ParticipantFeed feed, PacketDecoders decoders,
                 MediaJsonConfig config, MediaMetrics metrics, DropCounter drops) {
        this.tag = start.tag();
        this.feed = feed;
        this.decoders = decoders;
        this.config = config;
        this.metrics = metrics;
        this.drops = drops;
        this.decoder = decoder;
        this.format = formatOf(start);
        this.clock = new PacketClock(decoder.clockRate());
    }

    String participantId() {
        return feed.participantId();
    }

    /**
     * A second {@code start} for this tag: the same format continues the stream (a new talk, or a repeat); a new
     * format gets a new decoder on the same participant, its clock continuing where the old one stopped.
     *
     * @return false when the new format is not supported (the stream keeps its old decoder)
     */
    boolean restart(MediaJsonCodec.Start start) {
        String newFormat = formatOf(start);
        if (newFormat.equals(format)) {
            if (start.timestamp() == null) drops.drop("duplicate-start", "tag " + tag);
            return true;
        }
        PacketDecoder next = decoders.create(start.encoding(), start.sampleRate(), start.channels());
        if (next == null) return false;
        decoder.close();
        decoder = next;
        format = newFormat;
        clock = new PacketClock(next.clockRate());
        base = feed.mediaTime();
        metrics.counter(MediaJsonSession.COMPONENT + ".sources.format-changes").increment();
        return true;
    }

    void onMedia(MediaJsonCodec.Media media) {
        if (!clock.isNew(media.chunk())) {
            drops.drop("out-of-order", "tag " + tag + " chunk " + media.chunk() + " not after the last one");
            return;
        }
        if (!clock.plausible(media.timestamp()) || (clock.started() && media.timestamp() <= lastTimestamp)) {
            drops.drop("timestamp-regression", "tag " + tag + " timestamp " + media.timestamp() + " after " + lastTimestamp);
            return;
        }
        long gap = base + clock.position(media.timestamp()) - feed.mediaTime();
        if (gap > 0) fillGap(gap, clock.lostBefore(media.chunk()), media.payload());
        short[] pcm = decoder.decode(media.payload());
        clock.accept(media.chunk(), media.timestamp());
        lastTimestamp = media.timestamp();
        if (pcm == null) {
            drops.drop("undecodable", "tag " + tag + " chunk " + media.chunk() + " (" + media.payload().length + " bytes)");
            return;
        }
        feed.push(pcm, PcmFrame.Kind.AUDIO);
        metrics.counter(MediaJsonSession.COMPONENT + ".packets.decoded").increment();
    }

    /** The sender marked the end of a talk: silence now lets the engine end the utterance without waiting. */
    void endTalk() {
        feed.silence(MediaJsonConfig.samples16k(config.silenceCap()));
    }

    void close() {
        decoder.close();
        feed.close();
    }

    private void fillGap(long gap, long lost, byte[] next) {
        long concealed = 0;
        if (lost > 0) {
            long cap = MediaJsonConfig.samples16k(config.concealCap());
            int n = (int) Math.min(gap, cap);
            short[] c = n > 0 ? decoder.conceal(n, gap <= cap ? next : null) : null;
            if (c != null && c.length > 0) {
                feed.push(c, PcmFrame.Kind.CONCEALED);
                concealed = c.length;
                metrics.counter(MediaJsonSession.COMPONENT + ".samples.concealed").add(c.length);
            }
        }
        long silence = feed.fillGap(gap - concealed, MediaJsonConfig.samples16k(config.silenceCap()));
        metrics.counter(MediaJsonSession.COMPONENT + ".samples.silence").add(silence);
    }

    private static String formatOf(MediaJsonCodec.Start start) {
        return start.encoding() + "/" + start.sampleRate() + "/" + start.channels();
    }
}

package org.streamasr.media.ingest;

import org.streamasr.media.AudioLevel;
import org.streamasr.media.codec.AudioDecoder;

/** What a network thread hands to a participant's pipeline: media, or an event placed in order with it. */
sealed interface IngestItem {

    /** Media time the item holds, to bound the hand-off queue (control items hold none). */
    long millis();

    /** One packet of a packetised codec, as the protocol numbered and stamped it (one format; ordered by index). */
    record Packet(long index, long timestamp, byte[] payload, long millis) implements IngestItem, EncodedPacket {
        @Override
        public int format() {
            return 0;
        }

        @Override
        public byte[] data() {
            return payload;
        }

        @Override
        public int offset() {
            return 0;
        }

        @Override
        public int length() {
            return payload.length;
        }

        @Override
        public int lostBefore() {
            return 0;
        }

        @Override
        public boolean discontinuity() {
            return false;
        }

        @Override
        public long arrivalNanos() {
            return 0;
        }

        @Override
        public AudioLevel level() {
            return AudioLevel.NONE;
        }
    }

    /** Mono 16-bit PCM at {@code sampleRate}. */
    record Pcm(short[] samples, int sampleRate) implements IngestItem {
        @Override
        public long millis() {
            return samples.length * 1000L / sampleRate;
        }
    }

    /** The sender ended a talk. */
    record EndTalk() implements IngestItem {
        @Override
        public long millis() {
            return 0;
        }
    }

    /** The sender changed format: packets after this one go to {@code decoder}. */
    record SwitchDecoder(AudioDecoder decoder, int clockRate) implements IngestItem {
        @Override
        public long millis() {
            return 0;
        }
    }
}

package org.streamasr.stream;

import java.util.Map;
import java.util.TreeMap;

/**
 * Maps a recognition stream's clock (samples accepted) to the participant's media clock. They differ by the media
 * time of the first frame and by every gap too long to be filled with silence: the stream skips such a gap, the
 * media clock does not. Thread-safe; small (one entry per skipped gap still in reach of an open utterance).
 */
final class MediaClockMap {
    static final int MAX_ENTRIES = 4_096;

    /** stream sample where an offset starts → media sample minus stream sample from there on. */
    private final TreeMap<Long, Long> offsets = new TreeMap<>();

    synchronized void start(long firstMediaSample) {
        offsets.clear();
        offsets.put(0L, firstMediaSample);
    }

    /**
     * From stream sample {@code at} on, the media clock is {@code skipped} samples further ahead; negative when the
     * stream got ahead of the media clock instead.
     */
    synchronized void skip(long at, long skipped) {
        Map.Entry<Long, Long> floor = offsets.floorEntry(at);
        long before = floor == null ? 0 : floor.getValue();
        offsets.put(at, before + skipped);
        if (offsets.size() > MAX_ENTRIES) offsets.pollFirstEntry();
    }

    /**
     * The media sample of a stream sample. Where the stream ran ahead of the media clock (a negative skip: silence fed
     * for a pause that the media clock did not see), the samples before the skip map no later than the media time
     * after it, so times never run backwards.
     */
    synchronized long toMediaSample(long streamSample) {
        Map.Entry<Long, Long> floor = offsets.floorEntry(streamSample);
        long media = streamSample + (floor == null ? 0 : floor.getValue());
        for (Map.Entry<Long, Long> later : offsets.tailMap(streamSample, false).entrySet()) {
            media = Math.min(media, later.getKey() + later.getValue());
        }
        return media;
    }

    long toMediaMillis(long streamMillis) {
        long sample = toMediaSample(streamMillis * 16);
        return sample / 16;
    }

    /** Nothing before {@code streamSample} will be asked for again. */
    synchronized void forgetBefore(long streamSample) {
        Long floor = offsets.floorKey(streamSample);
        if (floor != null) offsets.headMap(floor, false).clear();
    }

    synchronized int size() {
        return offsets.size();
    }
}

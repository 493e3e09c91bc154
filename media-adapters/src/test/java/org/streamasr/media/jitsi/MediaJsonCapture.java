package org.streamasr.media.jitsi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.streamasr.media.adapter.WsTestClient;

/**
 * A MEDIAJSON conversation as the bridge sends it: JSON lines {@code {timestamp, direction, data}} (the shape of the
 * developer capture), either read from a file or generated from recorded speech. Replays them over a socket at the
 * pace their timestamps give.
 */
public final class MediaJsonCapture {
    private static final ObjectMapper JSON = new ObjectMapper();

    public record Line(long wallMillis, String data) {
    }

    /** One source's media as the capture has it: chunk, timestamp (48 kHz) per packet, in order sent. */
    public record Source(String tag, List<Long> chunks, List<Long> timestamps) {
    }

    public final List<Line> lines;

    MediaJsonCapture(List<Line> lines) {
        this.lines = List.copyOf(lines);
    }

    public static MediaJsonCapture read(Path file) throws IOException {
        List<Line> lines = new ArrayList<>();
        for (String l : Files.readAllLines(file)) {
            if (l.isBlank()) continue;
            JsonNode n = JSON.readTree(l);
            if (!"incoming".equals(n.path("direction").asText("incoming"))) continue;
            JsonNode data = n.get("data");
            lines.add(new Line(n.get("timestamp").asLong(), data.isTextual() ? data.asText() : data.toString()));
        }
        return new MediaJsonCapture(lines);
    }

    /** The media of every tag, in the order sent. */
    public Map<String, Source> sources() throws IOException {
        Map<String, Source> out = new LinkedHashMap<>();
        for (Line l : lines) {
            JsonNode d = JSON.readTree(l.data());
            if (!"media".equals(d.path("event").asText())) continue;
            JsonNode m = d.get("media");
            Source s = out.computeIfAbsent(m.get("tag").asText(), t -> new Source(t, new ArrayList<>(), new ArrayList<>()));
            s.chunks().add(m.get("chunk").asLong());
            s.timestamps().add(m.get("timestamp").asLong());
        }
        return out;
    }

    /** The media payloads of one tag, decoded from base64, in the order sent. */
    public List<byte[]> payloads(String tag) throws IOException {
        List<byte[]> out = new ArrayList<>();
        for (Line l : lines) {
            JsonNode d = JSON.readTree(l.data());
            if ("media".equals(d.path("event").asText()) && tag.equals(d.path("media").path("tag").asText())) {
                out.add(Base64.getDecoder().decode(d.path("media").path("payload").asText()));
            }
        }
        return out;
    }

    /** Sends every line at its offset from the first one (real-time pace), then returns. */
    public void replay(WsTestClient client) throws IOException {
        long t0 = lines.get(0).wallMillis();
        long start = System.nanoTime();
        for (Line l : lines) {
            long due = start + (l.wallMillis() - t0) * 1_000_000L;
            long wait = due - System.nanoTime();
            if (wait > 0) LockSupport.parkNanos(wait);
            client.sendText(l.data());
        }
    }

    /** Replay duration of the capture. */
    public long durationMillis() {
        return lines.get(lines.size() - 1).wallMillis() - lines.get(0).wallMillis();
    }

    /**
     * A speaker for {@link #generate}: its endpoint id, SSRC, speech, when it starts on the shared clock (ms), and
     * packets to leave out: chunks never sent at all ({@code lost}) and a pause where packets stop while the sequence
     * numbers keep counting from where they were (a muted microphone / DTX).
     */
    public record Speaker(String endpointId, long ssrc, short[] speech16k, long startMillis, List<Integer> lost,
                   int pauseAfterPacket, int pausePackets) {
    }

    /**
     * Generates the bridge's side of a meeting: a {@code start} per speaker, then 20 ms Opus packets (stereo 48 kHz,
     * as browsers send) with JVB's chunk/timestamp numbering, all speakers interleaved in time.
     */
    public static MediaJsonCapture generate(List<Speaker> speakers) throws Exception {
        record Event(long wallMillis, int order, String data) {
        }
        List<Event> events = new ArrayList<>();
        int seq = 0;
        int order = 0;
        for (Speaker s : speakers) {
            String tag = s.endpointId() + "-" + s.ssrc();
            events.add(new Event(s.startMillis(), order++, "{\"event\":\"start\",\"sequenceNumber\":\"" + (++seq)
                    + "\",\"start\":{\"tag\":\"" + tag + "\",\"mediaFormat\":{\"encoding\":\"opus\",\"sampleRate\":48000,"
                    + "\"channels\":2},\"customParameters\":{\"endpointId\":\"" + s.endpointId() + "\"}},\"event\":\"start\"}"));
            List<byte[]> packets = BrowserOpusEncoder.encode(s.speech16k());
            long chunk = 1000 + s.ssrc() % 1000;
            long timestamp = s.startMillis() * 48;
            long wall = s.startMillis();
            for (int i = 0; i < packets.size(); i++) {
                if (i == s.pauseAfterPacket()) {
                    timestamp += (long) s.pausePackets() * BrowserOpusEncoder.FRAME_48K;
                    wall += s.pausePackets() * 20L;
                }
                if (!s.lost().contains(i)) {
                    events.add(new Event(wall, order++, "{\"event\":\"media\",\"sequenceNumber\":\"" + (++seq)
                            + "\",\"media\":{\"tag\":\"" + tag + "\",\"chunk\":\"" + chunk + "\",\"timestamp\":\""
                            + timestamp + "\",\"payload\":\"" + Base64.getEncoder().encodeToString(packets.get(i))
                            + "\"},\"event\":\"media\"}"));
                }
                chunk++;
                timestamp += BrowserOpusEncoder.FRAME_48K;
                wall += 20;
            }
        }
        events.sort(Comparator.comparingLong(Event::wallMillis).thenComparingInt(Event::order));
        return new MediaJsonCapture(events.stream().map(e -> new Line(e.wallMillis(), e.data())).toList());
    }
}

package org.streamasr.tools.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.streamasr.media.wav.WavFile;

/**
 * The demo's conversation: two participants taking turns reading LibriVox clips from Debian's pocketsphinx-testdata
 * ({@code /usr/share/pocketsphinx/test/data/librivox}, 16 kHz mono, with a {@code transcription} file). Each
 * participant's track runs on the shared timeline, silent while the other speaks.
 */
public final class DemoConversation {
    public static final Path DEBIAN_CLIPS = Path.of("/usr/share/pocketsphinx/test/data/librivox");
    private static final Pattern LINE = Pattern.compile("<s>\\s*(.*?)\\s*</s>\\s*\\((\\S+)\\)");
    private static final int GAP_SAMPLES = 16_000 * 6 / 10;
    private static final int TAIL_SAMPLES = 16_000;

    /** A participant: endpoint id, display name, track (16 kHz), and what they say (the clips' transcripts). */
    public record Participant(String endpointId, String name, short[] track, String reference) {
    }

    private DemoConversation() {
    }

    /**
     * Alice and Bob alternate over the clips (Alice 0870, Bob 0880, Alice 0890, Bob 0930 with the Debian data).
     *
     * @throws IOException when the clips are missing (Debian package pocketsphinx-testdata)
     */
    public static List<Participant> aliceAndBob(Path clipDir, int turns) throws IOException {
        Map<String, String> transcripts = transcripts(clipDir);
        List<String> ids = new ArrayList<>(transcripts.keySet());
        if (ids.size() < 2) throw new IOException(clipDir + ": needs at least two clips with transcripts");
        List<String> chosen = new ArrayList<>();
        for (int i = 0; chosen.size() < turns && i < ids.size(); i++) {
            if (ids.get(i).endsWith("0920")) continue;   // keep the demo short: skip the longest clip when others remain
            chosen.add(ids.get(i));
        }
        List<short[]> clips = new ArrayList<>();
        for (String id : chosen) {
            WavFile wav = WavFile.read(clipDir.resolve(id + ".wav"));
            if (wav.sampleRate() != 16_000) throw new IOException(id + ".wav: expected 16 kHz, got " + wav.sampleRate());
            clips.add(wav.mono());
        }
        int total = TAIL_SAMPLES;
        for (short[] c : clips) total += c.length + GAP_SAMPLES;
        short[][] tracks = {new short[total], new short[total]};
        StringBuilder[] refs = {new StringBuilder(), new StringBuilder()};
        int at = GAP_SAMPLES / 2;
        for (int i = 0; i < clips.size(); i++) {
            int who = i % 2;
            System.arraycopy(clips.get(i), 0, tracks[who], at, clips.get(i).length);
            refs[who].append(refs[who].length() == 0 ? "" : " ").append(transcripts.get(chosen.get(i)));
            at += clips.get(i).length + GAP_SAMPLES;
        }
        // Endpoint ids as a bridge makes them; the display names travel in the start event's customParameters.
        return List.of(new Participant("3f9a61c2", "Alice", tracks[0], refs[0].toString()),
                new Participant("b27e05d8", "Bob", tracks[1], refs[1].toString()));
    }

    /** clip id → transcript, in file order. */
    static Map<String, String> transcripts(Path clipDir) throws IOException {
        Path file = clipDir.resolve("transcription");
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + " not found: install the Debian package pocketsphinx-testdata");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            Matcher m = LINE.matcher(line.trim());
            if (m.matches() && Files.isRegularFile(clipDir.resolve(m.group(2) + ".wav"))) out.put(m.group(2), m.group(1));
        }
        return out;
    }
}

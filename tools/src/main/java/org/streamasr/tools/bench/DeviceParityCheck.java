package org.streamasr.tools.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.streamasr.engine.Acceleration;
import org.streamasr.engine.EngineConfig;
import org.streamasr.engine.RecognitionListener;
import org.streamasr.engine.RecognitionStream;
import org.streamasr.engine.StreamSpec;
import org.streamasr.engine.Utterance;
import org.streamasr.engine.nemotron.NemotronEngine;
import org.streamasr.tools.testmodel.TestModelVariant;
import org.streamasr.tools.testmodel.ToneScript;

/**
 * Checks an execution provider and cache placement against the CPU host path on a constructed multilingual model:
 * the same finals (text, language, start and end, token times) for every script alone, and the same again with all
 * scripts batched together; and the expected transcripts. Prints one line per case and returns whether all passed.
 * Used by {@code scripts/gpu-check} with provider cuda; runs on the CPU provider as well (device-state device vs host).
 */
public final class DeviceParityCheck {
    private static final List<ToneScript> SCRIPTS = List.of(
            ToneScript.builder(TestModelVariant.ML).say("en-US", "hello world. this is a test.").build(),
            ToneScript.builder(TestModelVariant.ML).leadingSilenceMillis(400).say("de-DE", "hallo welt. wie geht es dir?").build(),
            ToneScript.builder(TestModelVariant.ML).leadingSilenceMillis(160).say("en-US", "good morning, world?")
                    .say("en-US", "this is a good test.").build(),
            ToneScript.builder(TestModelVariant.ML).leadingSilenceMillis(720).say("de-DE", "guten morgen. das ist ein test.").build());
    private static final List<String> LANGUAGES = List.of("auto", "auto", "en-US", "de-DE");

    private final Path modelDir;
    private final String provider;
    private final Acceleration acceleration;
    private final PrintStream out;

    public DeviceParityCheck(Path modelDir, String provider, Acceleration acceleration, PrintStream out) {
        this.modelDir = modelDir;
        this.provider = provider;
        this.acceleration = acceleration;
        this.out = out;
    }

    /** True when every case matched the CPU host path and the expected transcripts. */
    public boolean run() throws Exception {
        List<List<String>> reference;
        try (NemotronEngine cpu = NemotronEngine.open(options("cpu", "host"))) {
            reference = alone(cpu);
        }
        boolean ok = expected(reference);
        for (String state : List.of("host", "device")) {
            try (NemotronEngine e = NemotronEngine.open(options(provider, state))) {
                String name = provider + ", device-state " + state + " (caches " + (e.stateOnDevice(acceleration)
                        ? "on the device" : "on the host") + ")";
                e.stats().reset();
                ok &= same(name + ", each stream alone", reference, alone(e));
                ok &= same(name + ", all streams batched", reference, together(e));
                out.printf(Locale.ROOT, "   %s: %d chunks, %.1f KiB to device and %.1f KiB to host per chunk%n", name,
                        e.chunksRun(), e.bytesToDevice() / 1024.0 / Math.max(1, e.chunksRun()),
                        e.bytesToHost() / 1024.0 / Math.max(1, e.chunksRun()));
            }
        }
        out.println(ok ? "PASS" : "FAIL");
        return ok;
    }

    private EngineConfig options(String p, String state) {
        return EngineConfig.builder().engine(NemotronEngine.NAME).modelDir(modelDir).provider(p).maxBatch(8)
                .maxBatchWait(Duration.ofMillis(20)).streamBuffer(Duration.ofSeconds(60)).defaultAcceleration(acceleration)
                .extra("nemotron.device-state", state).build();
    }

    private boolean expected(List<List<String>> reference) {
        boolean ok = true;
        for (int i = 0; i < SCRIPTS.size(); i++) {
            List<String> want = SCRIPTS.get(i).expectedTexts(LANGUAGES.get(i));
            List<String> got = reference.get(i).stream().map(s -> s.substring(s.indexOf('|') + 1, s.indexOf('|', s.indexOf('|') + 1))).toList();
            if (!want.equals(got)) {
                out.printf(Locale.ROOT, "   cpu host path, stream %d: expected %s, got %s%n", i, want, got);
                ok = false;
            }
        }
        out.printf(Locale.ROOT, "%s cpu, device-state host: the expected transcripts%n", ok ? "ok  " : "FAIL");
        return ok;
    }

    private boolean same(String what, List<List<String>> reference, List<List<String>> got) {
        for (int i = 0; i < reference.size(); i++) {
            if (!reference.get(i).equals(got.get(i))) {
                out.printf(Locale.ROOT, "FAIL %s: stream %d differs from the cpu host path%n   cpu:  %s%n   this: %s%n", what, i,
                        reference.get(i), got.get(i));
                return false;
            }
        }
        out.printf(Locale.ROOT, "ok   %s: the cpu host path's finals and token times%n", what);
        return true;
    }

    private List<List<String>> alone(NemotronEngine e) throws Exception {
        List<List<String>> out = new ArrayList<>();
        for (int i = 0; i < SCRIPTS.size(); i++) out.add(run(e, List.of(i), false).get(0));
        return out;
    }

    private List<List<String>> together(NemotronEngine e) throws Exception {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < SCRIPTS.size(); i++) all.add(i);
        return run(e, all, true);
    }

    /** The finals of the given scripts fed at once (live streams) or one stream as a file. */
    private List<List<String>> run(NemotronEngine e, List<Integer> which, boolean live) throws Exception {
        CountDownLatch done = new CountDownLatch(which.size());
        List<List<String>> finals = new ArrayList<>();
        List<RecognitionStream> streams = new ArrayList<>();
        try {
            for (int i : which) {
                List<String> f = new CopyOnWriteArrayList<>();
                finals.add(f);
                RecognitionListener l = new RecognitionListener() {
                    @Override
                    public void onPartial(Utterance partial) {
                    }

                    @Override
                    public void onFinal(Utterance u) {
                        f.add(u.index() + "|" + u.text() + "|" + u.language() + " " + u.startMs() + "-" + u.endMs() + " " + u.tokens());
                    }

                    @Override
                    public void onFinished() {
                        done.countDown();
                    }
                };
                String label = "parity-" + i;
                streams.add(e.openStream(live ? StreamSpec.live(LANGUAGES.get(i), acceleration, label)
                        : StreamSpec.file(LANGUAGES.get(i), acceleration, label), l));
            }
            for (int k = 0; k < which.size(); k++) {
                float[] audio = SCRIPTS.get(which.get(k)).samples();
                if (live) {
                    if (!streams.get(k).accept(audio, 0, audio.length)) throw new IllegalStateException("stream buffer full");
                } else {
                    streams.get(k).acceptAwaiting(audio, 0, audio.length);
                }
            }
            streams.forEach(RecognitionStream::finish);
            if (!done.await(5, TimeUnit.MINUTES)) throw new IllegalStateException("streams did not finish in 5 minutes");
        } finally {
            streams.forEach(RecognitionStream::close);
        }
        return finals;
    }
}

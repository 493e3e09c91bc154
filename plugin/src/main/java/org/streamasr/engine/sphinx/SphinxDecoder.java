package org.streamasr.engine.sphinx;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.streamasr.engine.RecognitionException;

/**
 * One native pocketsphinx decoder (its {@code cmd_ln_t} config and {@code ps_decoder_t}). Not thread-safe: one
 * stream drives it from one worker at a time. {@link #close()} frees both handles exactly once.
 */
final class SphinxDecoder implements AutoCloseable {
    /** pocketsphinx's default -frate: 100 frames per second, 10 ms each. */
    static final int SAMPLES_PER_FRAME = 160;
    private static final AtomicInteger OPEN = new AtomicInteger();

    /** A recognised word and its frames within the utterance. */
    record Word(String text, int startFrame, int endFrame) {
    }

    private final SphinxNative lib;
    private Pointer config;
    private Pointer ps;
    private boolean inUtterance;

    private SphinxDecoder(SphinxNative lib, Pointer config, Pointer ps) {
        this.lib = lib;
        this.config = config;
        this.ps = ps;
        OPEN.incrementAndGet();
    }

    /** Creates a decoder from {@code -name value} pairs; fails with the reason pocketsphinx gives (in its log). */
    static SphinxDecoder open(SphinxNative lib, List<String> args) throws RecognitionException {
        Object[] varargs = new Object[args.size() + 1];
        for (int i = 0; i < args.size(); i++) varargs[i] = args.get(i);
        varargs[args.size()] = null;
        Pointer config = lib.base.cmd_ln_init(null, lib.ps.ps_args(), 1, varargs);
        if (config == null) throw new RecognitionException("pocketsphinx rejected its arguments " + args);
        Pointer ps = lib.ps.ps_init(config);
        if (ps == null) {
            lib.base.cmd_ln_free_r(config);
            throw new RecognitionException("pocketsphinx could not load its model files (" + args + "); "
                    + SphinxNative.INSTALL_HINT);
        }
        return new SphinxDecoder(lib, config, ps);
    }

    /** Starts a new audio stream: segment frames count from here (every 10 ms of audio fed, silence included). */
    void startStream() throws RecognitionException {
        check(lib.ps.ps_start_stream(ps), "ps_start_stream");
    }

    void startUtterance() throws RecognitionException {
        check(lib.ps.ps_start_utt(ps), "ps_start_utt");
        inUtterance = true;
    }

    void process(short[] samples, int count) throws RecognitionException {
        if (count <= 0) return;
        check(lib.ps.ps_process_raw(ps, count == samples.length ? samples : java.util.Arrays.copyOf(samples, count),
                count, 0, 0), "ps_process_raw");
    }

    /** pocketsphinx's own voice activity state (its front end's VAD, with -vad_postspeech of hangover). */
    boolean inSpeech() {
        return lib.ps.ps_get_in_speech(ps) != 0;
    }

    /** Frames the search has seen in this utterance (silence the VAD removed is not counted). */
    int frames() {
        return lib.ps.ps_get_n_frames(ps);
    }

    /** The current best hypothesis (partial during an utterance, final after {@link #endUtterance()}); "" if none. */
    String hypothesis() {
        String hyp = lib.ps.ps_get_hyp(ps, null);
        return hyp == null ? "" : hyp.trim();
    }

    void endUtterance() throws RecognitionException {
        if (!inUtterance) return;
        inUtterance = false;
        check(lib.ps.ps_end_utt(ps), "ps_end_utt");
    }

    /** The words of the last hypothesis with their frames, fillers and sentence markers left out. */
    List<Word> words() {
        List<Word> words = new ArrayList<>();
        IntByReference sf = new IntByReference(), ef = new IntByReference();
        for (Pointer seg = lib.ps.ps_seg_iter(ps); seg != null; seg = lib.ps.ps_seg_next(seg)) {
            String w = lib.ps.ps_seg_word(seg);
            if (w == null || w.isEmpty() || w.startsWith("<") || w.startsWith("[")) continue;
            lib.ps.ps_seg_frames(seg, sf, ef);
            int alt = w.indexOf('(');  // alternate pronunciations: "the(2)"
            words.add(new Word(alt > 0 ? w.substring(0, alt) : w, sf.getValue(), ef.getValue()));
        }
        return words;
    }

    boolean inUtterance() {
        return inUtterance;
    }

    static int openCount() {
        return OPEN.get();
    }

    @Override
    public void close() {
        if (ps == null) return;
        lib.ps.ps_free(ps);
        lib.base.cmd_ln_free_r(config);
        ps = null;
        config = null;
        OPEN.decrementAndGet();
    }

    private static void check(int rc, String call) throws RecognitionException {
        if (rc < 0) throw new RecognitionException("pocketsphinx " + call + " failed (" + rc + ")");
    }
}

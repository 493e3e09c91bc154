package org.streamasr.engine.sphinx;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import org.streamasr.engine.ModelContractException;

/**
 * JNA bindings to Debian's pocketsphinx 5prealpha ({@code libpocketsphinx.so.3}, {@code libsphinxbase.so.3}): only
 * the calls the engine makes. Handles are opaque pointers; a decoder handle is not thread-safe.
 */
final class SphinxNative {
    static final String INSTALL_HINT = "install Debian packages libpocketsphinx3 pocketsphinx-en-us";

    interface SphinxBase extends Library {
        /** {@code cmd_ln_t *cmd_ln_init(cmd_ln_t *inout, arg_t const *defn, int32 strict, ...)}, NULL-terminated pairs. */
        Pointer cmd_ln_init(Pointer inout, Pointer defn, int strict, Object... nameValuePairs);

        int cmd_ln_free_r(Pointer config);
    }

    interface PocketSphinx extends Library {
        Pointer ps_args();

        Pointer ps_init(Pointer config);

        /** Resets the noise estimate and the stream-wide frame count that segment times are measured on. */
        int ps_start_stream(Pointer ps);

        int ps_start_utt(Pointer ps);

        /** {@code size_t n_samples}: a 64-bit long on the LP64 Linux targets we ship for. */
        int ps_process_raw(Pointer ps, short[] data, long nSamples, int noSearch, int fullUtt);

        /** Owned by the decoder and valid until the next call on it; JNA copies it into a Java String. */
        String ps_get_hyp(Pointer ps, IntByReference outBestScore);

        byte ps_get_in_speech(Pointer ps);

        int ps_get_n_frames(Pointer ps);

        int ps_end_utt(Pointer ps);

        Pointer ps_seg_iter(Pointer ps);

        Pointer ps_seg_next(Pointer seg);

        String ps_seg_word(Pointer seg);

        void ps_seg_frames(Pointer seg, IntByReference outStartFrame, IntByReference outEndFrame);

        void ps_seg_free(Pointer seg);

        int ps_free(Pointer ps);
    }

    final SphinxBase base;
    final PocketSphinx ps;

    private SphinxNative(SphinxBase base, PocketSphinx ps) {
        this.base = base;
        this.ps = ps;
    }

    /** Loads both libraries, or fails with a message that says which Debian packages to install. */
    static SphinxNative load() {
        try {
            SphinxBase base = Native.load(libraryName("sphinxbase"), SphinxBase.class);
            PocketSphinx ps = Native.load(libraryName("pocketsphinx"), PocketSphinx.class);
            return new SphinxNative(base, ps);
        } catch (UnsatisfiedLinkError e) {
            throw new ModelContractException("cannot load pocketsphinx (libpocketsphinx.so.3, libsphinxbase.so.3): "
                    + INSTALL_HINT + " (" + e.getMessage().lines().findFirst().orElse("") + ")", e);
        }
    }

    /** Debian ships only the versioned .so.3 without the -dev symlink, so ask for that file first. */
    private static String libraryName(String lib) {
        for (String dir : new String[] {"/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib"}) {
            java.nio.file.Path p = java.nio.file.Path.of(dir, "lib" + lib + ".so.3");
            if (java.nio.file.Files.exists(p)) return p.toString();
        }
        return lib;
    }
}

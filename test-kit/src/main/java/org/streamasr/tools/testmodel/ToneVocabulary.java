package org.streamasr.tools.testmodel;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The "language" of the constructed test models: which tone band stands for which word piece.
 *
 * <p>The encoder reads {@link #BANDS} token bands and one pilot band from the log-mel input: band {@code k} is mel
 * bin {@code 60 + 4k} (about 1.55 to 6.6 kHz, the pilot 7.26 kHz), far enough apart that a tone in one band stays
 * more than 10 nats below the others. A token is emitted on a tone onset; which piece it is depends on the band, on
 * the language group (English, or German when the ML model is told de-DE, or under auto when the pilot tone is on)
 * and on the parity of the number of pieces the decoder has emitted since its last reset (its LSTM state). So piece
 * {@code i} of an utterance is spelt with band {@code (indexOf(piece) - 5 * (i % 2)) mod 16}.
 */
public final class ToneVocabulary {
    public static final int BANDS = 16;
    /** The pilot band marks German audio for the ML model under "auto". */
    public static final int PILOT_BAND = BANDS;
    public static final int FIRST_MEL_BIN = 60;
    public static final int MEL_BIN_STEP = 4;
    static final int PARITY_SHIFT = 5;

    public static final String UNK = "<unk>";
    public static final String BLANK = "<blk>";
    public static final String TAG_EN = "<en-US>";
    public static final String TAG_DE = "<de-DE>";

    /** A language group of the test model: its pieces in band order (parity 0) and its language tag. */
    public enum Group {
        ENGLISH("en-US", TAG_EN, List.of("▁hello", "▁world", "▁this", "▁is", "▁a", "▁test", "▁of", "▁stream", "ing",
                "▁speech", "▁recognition", "▁good", "▁morning", ".", ",", "?")),
        GERMAN("de-DE", TAG_DE, List.of("▁hallo", "▁welt", "▁das", "▁ist", "▁ein", "▁test", "▁guten", "▁morgen",
                "▁wie", "▁geht", "▁es", "▁dir", "▁schön", ".", ",", "?"));

        private final String locale;
        private final String tag;
        private final List<String> pieces;

        Group(String locale, String tag, List<String> pieces) {
            this.locale = locale;
            this.tag = tag;
            this.pieces = pieces;
        }

        public String locale() {
            return locale;
        }

        public String tag() {
            return tag;
        }

        public List<String> pieces() {
            return pieces;
        }

        /** The piece band {@code band} stands for when the decoder has emitted {@code parity} (mod 2) pieces. */
        public String piece(int band, int parity) {
            return pieces.get(Math.floorMod(band + PARITY_SHIFT * parity, BANDS));
        }

        /** The band that spells {@code piece} at {@code parity}. */
        public int band(String piece, int parity) {
            int i = pieces.indexOf(piece);
            if (i < 0) throw new IllegalArgumentException("'" + piece + "' is not a piece of " + locale);
            return Math.floorMod(i - PARITY_SHIFT * parity, BANDS);
        }

        /** The group whose locale is {@code language} ("de-DE" → German; everything else English). */
        public static Group forLanguage(String language) {
            return GERMAN.locale.equalsIgnoreCase(language) ? GERMAN : ENGLISH;
        }
    }

    private ToneVocabulary() {
    }

    public static boolean isTerminal(String piece) {
        return piece.equals(".") || piece.equals("?");
    }

    /** The mel bin band {@code band} reads (the pilot included). */
    public static int melBin(int band) {
        return FIRST_MEL_BIN + MEL_BIN_STEP * band;
    }

    /**
     * tokens.txt in id order, the blank last: {@code <unk>}, the English pieces, then for ML the German pieces not
     * already present and the two language tags, then filler pieces up to {@code vocabSize} (never emitted; they
     * only give a benchmark model a realistic joiner width).
     */
    public static List<String> tokens(TestModelVariant variant, int vocabSize) {
        List<String> list = new ArrayList<>(pieces(variant));
        if (vocabSize < list.size()) {
            throw new IllegalArgumentException("vocab size " + vocabSize + " is below the " + list.size()
                    + " pieces the test model needs");
        }
        for (int i = 0; list.size() < vocabSize; i++) list.add("▁filler" + i);
        list.add(BLANK);
        return list;
    }

    /** The pieces a variant needs, in id order, without fillers and blank. */
    public static List<String> pieces(TestModelVariant variant) {
        Set<String> t = new LinkedHashSet<>();
        t.add(UNK);
        t.addAll(Group.ENGLISH.pieces());
        if (variant == TestModelVariant.ML) {
            t.addAll(Group.GERMAN.pieces());
            t.add(TAG_EN);
            t.add(TAG_DE);
        }
        return List.copyOf(t);
    }

    /**
     * Splits {@code text} into pieces of {@code group}, longest match first, a word boundary starting with "▁".
     *
     * @throws IllegalArgumentException naming the part that the group's pieces cannot spell
     */
    public static List<String> tokenize(String text, Group group) {
        List<String> out = new ArrayList<>();
        for (String word : text.trim().split("\\s+")) {
            if (word.isEmpty()) continue;
            String rest = "▁" + word;
            while (!rest.isEmpty()) {
                String best = null;
                for (String p : group.pieces()) {
                    if (rest.startsWith(p) && (best == null || p.length() > best.length())) best = p;
                }
                if (best == null) {
                    throw new IllegalArgumentException("the test model cannot spell '" + rest.replace('▁', ' ').trim()
                            + "' in " + group.locale() + "; its pieces are "
                            + String.join(" ", group.pieces()).replace('▁', '_').toLowerCase(Locale.ROOT));
                }
                out.add(best);
                rest = rest.substring(best.length());
            }
        }
        return out;
    }

    /** The text of a piece sequence, as the engine renders it. */
    public static String render(List<String> pieces) {
        return String.join("", pieces).replace('▁', ' ').trim();
    }
}

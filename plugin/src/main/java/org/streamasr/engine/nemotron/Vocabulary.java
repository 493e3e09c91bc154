package org.streamasr.engine.nemotron;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.streamasr.engine.ModelContractException;

/**
 * The SentencePiece pieces of {@code tokens.txt} ({@code "piece id"} per line, ids 0..V, {@code <blk>} last) and how
 * a sequence of them becomes display text: pieces concatenated, "▁" (U+2581) as a space, byte pieces
 * {@code <0xNN>} joined into UTF-8, language tags ({@code <ll>}, {@code <lll>}, {@code <ll-CC>}, as sherpa-onnx's
 * {@code FilterLanguageTags}) left out and reported separately, other control pieces dropped.
 */
final class Vocabulary {
    private static final Pattern LANGUAGE_TAG = Pattern.compile("<([a-z]{2,3})(-[A-Z][A-Za-z]{1,3})?>");
    private static final Pattern BYTE_PIECE = Pattern.compile("<0x([0-9A-Fa-f]{2})>");
    private static final List<String> CONTROL = List.of("<unk>", "<pad>", "<s>", "</s>", "<blk>", "<blank>");

    private final String[] pieces;
    private final boolean[] tag;
    private final int[] bytes;
    private final boolean[] control;
    private final int blank;

    private Vocabulary(String[] pieces) {
        this.pieces = pieces;
        this.blank = pieces.length - 1;
        this.tag = new boolean[pieces.length];
        this.bytes = new int[pieces.length];
        this.control = new boolean[pieces.length];
        for (int i = 0; i < pieces.length; i++) {
            String p = pieces[i];
            control[i] = CONTROL.contains(p);
            tag[i] = !control[i] && LANGUAGE_TAG.matcher(p).matches();
            var m = BYTE_PIECE.matcher(p);
            bytes[i] = m.matches() ? Integer.parseInt(m.group(1), 16) : -1;
        }
    }

    /**
     * Reads {@code tokens.txt} and checks it against the model: {@code expectedSize} lines (vocab_size + blank), ids
     * 0..n-1 each once, the blank last.
     */
    static Vocabulary read(Path file, int expectedSize) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ModelContractException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        String[] pieces = new String[expectedSize];
        int count = 0;
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).strip();
            if (line.isEmpty()) continue;
            int sp = line.lastIndexOf(' ');
            if (sp <= 0) throw new ModelContractException(file + ": line " + (n + 1) + " is not 'piece id': '" + line + "'");
            int id;
            try {
                id = Integer.parseInt(line.substring(sp + 1));
            } catch (NumberFormatException e) {
                throw new ModelContractException(file + ": line " + (n + 1) + " has no numeric id: '" + line + "'");
            }
            if (id < 0 || id >= expectedSize) {
                throw new ModelContractException(file + ": id " + id + " on line " + (n + 1) + " is outside 0.."
                        + (expectedSize - 1) + " (the model's vocab_size + blank is " + expectedSize + ")");
            }
            if (pieces[id] != null) throw new ModelContractException(file + ": id " + id + " appears twice");
            pieces[id] = line.substring(0, sp);
            count++;
        }
        if (count != expectedSize) {
            throw new ModelContractException(file + ": " + count + " pieces, but the model's vocab_size + blank is " + expectedSize);
        }
        if (!pieces[expectedSize - 1].equals("<blk>")) {
            throw new ModelContractException(file + ": the last piece (id " + (expectedSize - 1) + ") is '"
                    + pieces[expectedSize - 1] + "', expected the blank '<blk>'");
        }
        return new Vocabulary(pieces);
    }

    int size() {
        return pieces.length;
    }

    int blank() {
        return blank;
    }

    String piece(int id) {
        return pieces[id];
    }

    /** True for a language-tag piece such as {@code <de-DE>}: it goes into the decoder, not into the text. */
    boolean isLanguageTag(int id) {
        return tag[id];
    }

    /** The language of a tag piece without the brackets ({@code "de-DE"}). */
    String tagLanguage(int id) {
        String p = pieces[id];
        return p.substring(1, p.length() - 1);
    }

    /** Display text of {@code count} token ids (tags and control pieces left out). */
    String text(int[] ids, int count) {
        StringBuilder sb = new StringBuilder();
        ByteArrayOutputStream pending = new ByteArrayOutputStream();
        for (int i = 0; i < count; i++) {
            int id = ids[i];
            if (bytes[id] >= 0) {
                pending.write(bytes[id]);
                continue;
            }
            flush(pending, sb);
            if (tag[id] || control[id]) {
                if (pieces[id].equals("<unk>")) sb.append(" \u2047 ");
                continue;
            }
            sb.append(pieces[id]);
        }
        flush(pending, sb);
        return spaces(sb);
    }

    /** "▁" as a space, runs of spaces as one, none at the ends. */
    private static String spaces(StringBuilder sb) {
        StringBuilder out = new StringBuilder(sb.length());
        boolean space = true;
        for (int i = 0; i < sb.length(); i++) {
            char ch = sb.charAt(i);
            if (ch == '\u2581' || ch == ' ') {
                space = true;
                continue;
            }
            if (space && out.length() > 0) out.append(' ');
            space = false;
            out.append(ch);
        }
        return out.toString();
    }

    private static void flush(ByteArrayOutputStream pending, StringBuilder sb) {
        if (pending.size() == 0) return;
        sb.append(pending.toString(StandardCharsets.UTF_8));
        pending.reset();
    }
}

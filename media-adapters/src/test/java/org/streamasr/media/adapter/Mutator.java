package org.streamasr.media.adapter;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generates malformed messages from valid ones, reproducibly (seeded): truncations, deletions, insertions of
 * syntax characters, values swapped for values of the wrong type or size, deep nesting, and for bytes, bit flips,
 * cuts and random tails.
 */
public final class Mutator {
    private static final String[] WRONG_VALUES = {
        "null", "[]", "{}", "\"\"", "\"x\"", "-1", "0", "1e308", "-1e308", "99999999999999999999999", "\"NaN\"",
        "true", "\"-5\"", "\"9223372036854775808\"", "\"" + "A".repeat(5000) + "\"", "[[[[[]]]]]", "{\"a\":{\"b\":{}}}",
        "\"\\u0000\"", "\"\\ud800\"", "3.5", "\"1e9\"", "\"0x10\"",
    };
    private static final String SYNTAX = "{}[]\":,\\ \n\t0-.eE\u0000\u00e9\ud83d\ude00";

    private final Random random;

    public Mutator(long seed) {
        this.random = new Random(seed);
    }

    /** {@code count} mutations of the seeds, plus fixed garbage every parser must survive. */
    public List<String> texts(List<String> seeds, int count) {
        List<String> out = new ArrayList<>(List.of("", " ", "null", "[]", "{}", "\"str\"", "1", "{\"event\":null}",
                "[".repeat(10_000), "{\"a\":".repeat(5_000), "{\"event\":\"" + "x".repeat(100_000) + "\"}"));
        for (int i = 0; i < count; i++) out.add(mutate(seeds.get(random.nextInt(seeds.size()))));
        return out;
    }

    public String mutate(String s) {
        StringBuilder b = new StringBuilder(s);
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits && b.length() > 0; e++) {
            int at = random.nextInt(b.length());
            switch (random.nextInt(6)) {
                case 0 -> b.setLength(at);
                case 1 -> b.delete(at, Math.min(b.length(), at + 1 + random.nextInt(8)));
                case 2 -> b.insert(at, SYNTAX.charAt(random.nextInt(SYNTAX.length())));
                case 3 -> replaceValue(b);
                case 4 -> b.insert(at, b.substring(at, Math.min(b.length(), at + random.nextInt(20))));
                default -> b.setCharAt(at, (char) random.nextInt(0x3000));
            }
        }
        return b.toString();
    }

    /** Swaps the value after a random {@code :} for one of the wrong type or size. */
    private void replaceValue(StringBuilder b) {
        int colon = b.indexOf(":", random.nextInt(b.length()));
        if (colon < 0) colon = b.indexOf(":");
        if (colon < 0) return;
        int end = colon + 1;
        int depth = 0;
        boolean inString = false;
        while (end < b.length()) {
            char c = b.charAt(end);
            if (inString) {
                if (c == '\\') end++;
                else if (c == '"') inString = false;
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                if (depth == 0) break;
                depth--;
            } else if (c == ',' && depth == 0) {
                break;
            }
            end++;
        }
        b.replace(colon + 1, end, WRONG_VALUES[random.nextInt(WRONG_VALUES.length)]);
    }

    /** {@code count} mutations of the seed byte messages, plus empty and one-byte messages. */
    public List<byte[]> bytes(List<byte[]> seeds, int count) {
        List<byte[]> out = new ArrayList<>(List.of(new byte[0], new byte[] {0}, new byte[] {(byte) 0xff}));
        for (int i = 0; i < count; i++) out.add(mutate(seeds.get(random.nextInt(seeds.size()))));
        return out;
    }

    public byte[] mutate(byte[] in) {
        byte[] b = in.clone();
        switch (random.nextInt(4)) {
            case 0 -> {
                for (int k = 0; k < 1 + random.nextInt(8) && b.length > 0; k++) b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
            }
            case 1 -> b = java.util.Arrays.copyOf(b, b.length == 0 ? 0 : random.nextInt(b.length));
            case 2 -> {
                byte[] tail = new byte[1 + random.nextInt(64)];
                random.nextBytes(tail);
                byte[] c = java.util.Arrays.copyOf(b, b.length + tail.length);
                System.arraycopy(tail, 0, c, b.length, tail.length);
                b = c;
            }
            default -> {
                b = new byte[random.nextInt(200)];
                random.nextBytes(b);
            }
        }
        return b;
    }

    public Random random() {
        return random;
    }
}

package org.streamasr.apis.deepgram;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The query of Deepgram's live {@code /v1/listen}, validated. Parameters this server does not use ({@code keyterm},
 * {@code keywords}, {@code tag}, {@code diarize}, {@code numerals}, {@code no_delay}, jambonz's {@code vad_turnoff},
 * ...) are accepted and ignored, as Deepgram ignores unknown ones.
 *
 * @param encoding       {@code linear16}, {@code mulaw}, {@code alaw}, {@code opus}/{@code ogg-opus} (Ogg Opus), or
 *                       null: a WAV or Ogg Opus container (its header says)
 * @param endpointing    false when {@code endpointing=false}: finals still come, but never with {@code speech_final}
 * @param utteranceEndMs {@code utterance_end_ms}, or 0 for none
 */
public record DeepgramLiveSpec(String model, String language, String encoding, int sampleRate, int channels,
                                  boolean multichannel, boolean interimResults, boolean endpointing,
                                  int utteranceEndMs, boolean vadEvents, boolean punctuated) {
    /** Encodings decoded here ({@code opus} and {@code ogg-opus}: Opus in Ogg); {@code flac}, ... are refused with 400. */
    public static final List<String> ENCODINGS = List.of("linear16", "mulaw", "alaw", "opus", "ogg-opus");

    /** A query Deepgram would refuse (400 "Bad Request" with this message in {@code dg-error}). */
    public static final class InvalidQueryException extends Exception {
        public InvalidQueryException(String message) {
            super(message);
        }
    }

    public static DeepgramLiveSpec parse(Map<String, List<String>> query) throws InvalidQueryException {
        String encoding = first(query, "encoding");
        if (encoding != null) {
            encoding = encoding.toLowerCase(Locale.ROOT);
            if (!ENCODINGS.contains(encoding)) {
                throw new InvalidQueryException("Invalid query string. encoding '" + encoding + "' is not supported by "
                        + "this server; use one of " + String.join(", ", ENCODINGS) + ", or send WAV or Ogg Opus and omit encoding");
            }
        }
        Integer rate = integer(query, "sample_rate", 8000, 192_000);
        if (encoding != null && rate == null && !encoding.contains("opus")) {
            throw new InvalidQueryException("Invalid query string. sample_rate is required with encoding");
        }
        Integer channels = integer(query, "channels", 1, 20);
        Integer utteranceEnd = integer(query, "utterance_end_ms", 0, 60_000);
        String endpointing = first(query, "endpointing");
        if (endpointing != null && !endpointing.equalsIgnoreCase("false") && !endpointing.equalsIgnoreCase("true")) {
            integer(query, "endpointing", 0, 60_000);
        }
        return new DeepgramLiveSpec(first(query, "model"), first(query, "language"), encoding,
                rate == null ? 16000 : rate, channels == null ? 1 : channels, flag(query, "multichannel"),
                flag(query, "interim_results"), endpointing == null || !endpointing.equalsIgnoreCase("false")
                && !endpointing.equals("0"), utteranceEnd == null ? 0 : utteranceEnd, flag(query, "vad_events"),
                flag(query, "punctuate") || flag(query, "smart_format"));
    }

    private static String first(Map<String, List<String>> query, String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() || v.get(0) == null || v.get(0).isBlank() ? null : v.get(0).trim();
    }

    private static boolean flag(Map<String, List<String>> query, String name) {
        String v = first(query, name);
        return v != null && (v.equalsIgnoreCase("true") || v.equals("1"));
    }

    private static Integer integer(Map<String, List<String>> query, String name, int min, int max)
            throws InvalidQueryException {
        String v = first(query, name);
        if (v == null) return null;
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new InvalidQueryException("Invalid query string. " + name + " must be an integer from " + min + " to "
                    + max + ", got '" + v + "'");
        }
    }
}

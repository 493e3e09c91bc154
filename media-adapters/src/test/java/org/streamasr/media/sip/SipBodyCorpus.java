package org.streamasr.media.sip;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.streamasr.media.adapter.Mutator;
import org.streamasr.media.sip.siprec.SiprecBodies;

/**
 * The malformed-body corpus of the SIP gateway, seeded: session descriptions, SIPREC multipart bodies and
 * rs-metadata XML, each both generated (valid bodies mutated line by line, field by field and character by
 * character) and random (random lines of the right shape, and random text). Every text has been through UTF-8 and
 * back, so it reads the same as the bytes a peer would send.
 */
final class SipBodyCorpus {
    /** Values that break number, address, token and length assumptions. */
    static final String[] NASTY = {
        "", " ", "-1", "0", "1", "15", "127", "128", "255", "256", "4096", "65535", "65536", "4294967296",
        "99999999999999999999", "1e9", "0x10", "+5", "1.5", "abc", "/", "//", ":", "::", "1/2/3", "a b c", "\t",
        "\u0000", "\u00e9", "\ud83d\ude00", "\ud800", "A".repeat(3000), "%", "inline:", "IN", "IP4", "IP6", "-",
    };
    private static final String TYPES = "vosctmabkizuerp";
    private static final String[] ATTRIBUTES = {
        "rtpmap:%s %s/%s/%s", "fmtp:%s %s", "extmap:%s urn:ietf:params:rtp-hdrext:ssrc-audio-level %s",
        "extmap:%s/%s urn:ietf:params:rtp-hdrext:ssrc-audio-level", "crypto:%s AES_CM_128_HMAC_SHA1_80 inline:%s",
        "crypto:%s %s inline:%s|%s|%s", "label:%s", "ptime:%s", "%s", "sendonly", "recvonly", "inactive", "sendrecv",
        "rtcp:%s IN IP4 %s", "%s:%s",
    };

    private final Random rnd;
    private final Mutator chars;

    SipBodyCorpus(long seed) {
        this.rnd = new Random(seed);
        this.chars = new Mutator(seed + 1);
    }

    // ---- SDP ----

    static List<String> sdpSeeds() {
        String head = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n";
        return List.of(
                SipTestMessages.offer(40000, "0 96 9 101"),
                SiprecBodies.sdp("192.0.2.1", 6000, 6002),
                head + "m=audio 5004 RTP/SAVP 0 8\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 "
                        + "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20\r\na=sendrecv\r\n",
                head + "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"
                        + "m=audio 9 RTP/AVP 111 0 101\r\na=rtpmap:111 opus/48000/2\r\na=fmtp:111 useinbandfec=1\r\n"
                        + "a=extmap:2/sendonly urn:ietf:params:rtp-hdrext:ssrc-audio-level vad=on\r\n"
                        + "a=rtpmap:101 telephone-event/48000\r\na=label:1\r\na=ptime:20\r\n"
                        + "m=video 0 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n",
                "v=0\no=x 1 1 IN IP6 ::1\ns=-\nt=0 0\nm=audio 4000/2 RTP/AVP 9\nc=IN IP6 ::1\na=rtpmap:9 G722/8000\n");
    }

    /** {@code generated} mutations of the seeds and {@code random} random bodies. */
    List<String> sdp(int generated, int random) {
        List<String> seeds = sdpSeeds();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < generated; i++) out.add(mutateSdp(seeds.get(rnd.nextInt(seeds.size()))));
        for (int i = 0; i < random; i++) out.add(i % 2 == 0 ? randomSdpLines() : randomText(2_000));
        return out.stream().map(SipBodyCorpus::throughUtf8).toList();
    }

    private String mutateSdp(String seed) {
        List<String> lines = new ArrayList<>(Arrays.asList(seed.split("\r?\n", -1)));
        int edits = 1 + rnd.nextInt(4);
        for (int e = 0; e < edits && !lines.isEmpty(); e++) {
            int at = rnd.nextInt(lines.size());
            switch (rnd.nextInt(8)) {
                case 0 -> lines.remove(at);
                case 1 -> lines.add(at, lines.get(rnd.nextInt(lines.size())));
                case 2 -> java.util.Collections.swap(lines, at, rnd.nextInt(lines.size()));
                case 3 -> lines.set(at, replaceToken(lines.get(at)));
                case 4 -> lines.add(at, randomSdpLine());
                case 5 -> lines.set(at, lines.get(at).substring(0, rnd.nextInt(lines.get(at).length() + 1)));
                case 6 -> lines.set(at, chars.mutate(lines.get(at)));
                default -> {
                    for (int k = 0; k < 1 + rnd.nextInt(40); k++) lines.add(at, randomSdpLine()); // many lines
                }
            }
        }
        String eol = switch (rnd.nextInt(4)) {
            case 0 -> "\n";
            case 1 -> "\r";
            default -> "\r\n";
        };
        return String.join(eol, lines);
    }

    /** A line of the form {@code t=value} whose fields are mostly nonsense. */
    private String randomSdpLine() {
        char type = TYPES.charAt(rnd.nextInt(TYPES.length()));
        return switch (type) {
            case 'm' -> "m=" + pick("audio", "video", nasty()) + " " + pick("4000", "0", "4000/2", nasty()) + " "
                    + pick("RTP/AVP", "RTP/SAVP", "RTP/SAVPF", "UDP/TLS/RTP/SAVPF", nasty()) + " " + formats();
            case 'c' -> "c=" + pick("IN", nasty()) + " " + pick("IP4", "IP6", nasty()) + " " + pick("127.0.0.1", "::1", "0.0.0.0", nasty());
            case 'a' -> "a=" + String.format(ATTRIBUTES[rnd.nextInt(ATTRIBUTES.length)], (Object[]) nastyArgs());
            case 'v' -> "v=" + pick("0", nasty());
            default -> type + "=" + nasty() + " " + nasty();
        };
    }

    private String formats() {
        StringBuilder b = new StringBuilder(pick("0", "8", "9", "96", "101", "111", nasty()));
        for (int i = rnd.nextInt(4); i > 0; i--) b.append(' ').append(pick("0", "13", "101", "127", nasty()));
        return b.toString();
    }

    private String randomSdpLines() {
        StringBuilder b = new StringBuilder(rnd.nextBoolean() ? "v=0\r\n" : "");
        for (int i = rnd.nextInt(40); i > 0; i--) b.append(randomSdpLine()).append("\r\n");
        return b.toString();
    }

    private String replaceToken(String line) {
        String[] tokens = line.split("((?<=[ :/=])|(?=[ :/=]))");
        if (tokens.length == 0) return nasty();
        int k = rnd.nextInt(tokens.length);
        if (" :/=".contains(tokens[k])) k = Math.min(tokens.length - 1, k + 1);
        tokens[k] = nasty();
        return String.join("", tokens);
    }

    // ---- SIPREC multipart/mixed and rs-metadata ----

    static List<String> multipartSeeds() {
        String body = SiprecBodies.multipart(SiprecBodies.sdp("192.0.2.1", 6000, 6002), SiprecBodies.metadata("Alice", "Bob"));
        return List.of(body, body.replace("\r\n", "\n"),
                "preamble\r\n" + body + "epilogue\r\n",
                body.replace("--" + SiprecBodies.BOUNDARY + "--", "--" + SiprecBodies.BOUNDARY + "\r\nContent-Type: "
                        + "text/plain\r\n\r\nextra\r\n--" + SiprecBodies.BOUNDARY + "--"));
    }

    List<String> multipart(int generated, int random) {
        List<String> seeds = multipartSeeds();
        String delimiter = "--" + SiprecBodies.BOUNDARY;
        List<String> out = new ArrayList<>();
        for (int i = 0; i < generated; i++) {
            String s = seeds.get(rnd.nextInt(seeds.size()));
            out.add(switch (rnd.nextInt(7)) {
                case 0 -> s.substring(0, rnd.nextInt(s.length() + 1));
                case 1 -> s.replace(delimiter + "--", rnd.nextBoolean() ? "" : delimiter);
                case 2 -> insertAt(s, "\r\n" + delimiter + pick("", "--", " ", "\r\n", nasty()) + "\r\n");
                case 3 -> s.replaceFirst("\r?\n\r?\n", rnd.nextBoolean() ? "\r\n" : "\r\n" + nasty() + "\r\n");
                case 4 -> delimiter + ("\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n" + delimiter).repeat(1 + rnd.nextInt(30)) + "--";
                case 5 -> s.replace("Content-Type: " + pick("application/sdp", "application/rs-metadata+xml"),
                        "Content-Type: " + pick("application/sdp", "application/rs-metadata+xml", "text/plain", nasty()));
                default -> chars.mutate(s);
            });
        }
        for (int i = 0; i < random; i++) {
            out.add(i % 2 == 0 ? randomText(3_000) : randomLinesWith(delimiter, "Content-Type: application/sdp", "v=0", ""));
        }
        return out.stream().map(SipBodyCorpus::throughUtf8).toList();
    }

    List<String> metadata(int generated, int random) {
        String good = SiprecBodies.metadata("Alice", "Bob");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < generated; i++) {
            out.add(switch (rnd.nextInt(8)) {
                case 0 -> good.substring(0, rnd.nextInt(good.length() + 1));
                case 1 -> good.replaceFirst("</" + pick("participant", "stream", "nameID", "recording") + ">", "");
                case 2 -> good.replaceFirst("(participant_id|stream_id)=\"[^\"]*\"", "$1=\"" + xmlNasty() + "\"");
                case 3 -> good.replace("<datamode>complete</datamode>", ("<participant participant_id=\"p" + rnd.nextInt(9)
                        + "\"><send>x</send></participant>").repeat(1 + rnd.nextInt(80)));
                case 4 -> good.replaceFirst("<recording", "<!DOCTYPE r [<!ENTITY e \"" + "x".repeat(rnd.nextInt(50))
                        + "\">]><recording");
                case 5 -> good.replaceFirst("encoding=\"UTF-8\"", "encoding=\"" + pick("UTF-16", "ISO-2022-JP", "EBCDIC", "x", "") + "\"");
                case 6 -> good.replaceFirst("<label>96</label>", "<label>" + "<a>".repeat(rnd.nextInt(200)) + "</label>");
                default -> chars.mutate(good);
            });
        }
        for (int i = 0; i < random; i++) {
            out.add(i % 2 == 0 ? randomText(2_000) : randomLinesWith("<recording>", "<participant id=\"x\">", "<send>",
                    "</recording>", "<stream>", "&amp;", "<![CDATA[", "<?xml version=\"1.0\"?>"));
        }
        return out.stream().map(SipBodyCorpus::throughUtf8).toList();
    }

    /** Random content-type values for the boundary parameter reader. */
    List<String> contentTypes(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(pick("multipart/mixed", "", nasty()) + pick(";", "; ", ";;", "") + pick("boundary", "BOUNDARY", nasty())
                    + pick("=", "==", "") + pick("\"", "") + nasty() + pick("\"", "", ";x=y"));
        }
        return out;
    }

    // ---- shared ----

    private String randomText(int maxLength) {
        StringBuilder b = new StringBuilder();
        int n = rnd.nextInt(maxLength);
        boolean ascii = rnd.nextBoolean();
        for (int i = 0; i < n; i++) b.append(ascii ? (char) rnd.nextInt(128) : (char) rnd.nextInt(0x3000));
        return b.toString();
    }

    private String randomLinesWith(String... pieces) {
        StringBuilder b = new StringBuilder();
        for (int i = rnd.nextInt(30); i > 0; i--) {
            b.append(rnd.nextInt(3) == 0 ? nasty() : pieces[rnd.nextInt(pieces.length)]).append(pick("\r\n", "\n", ""));
        }
        return b.toString();
    }

    private String insertAt(String s, String piece) {
        int at = rnd.nextInt(s.length() + 1);
        return s.substring(0, at) + piece + s.substring(at);
    }

    private String nasty() {
        return NASTY[rnd.nextInt(NASTY.length)];
    }

    private String xmlNasty() {
        return pick("", " ", "&lt;", "\"", "<", "&", "&x;", "A".repeat(3000));
    }

    private Object[] nastyArgs() {
        Object[] a = new Object[5];
        for (int i = 0; i < a.length; i++) a[i] = rnd.nextInt(3) == 0 ? pick("0", "1", "96", "101", "opus", "8000") : nasty();
        return a;
    }

    private String pick(String... options) {
        return options[rnd.nextInt(options.length)];
    }

    private static String throughUtf8(String s) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }
}

package org.streamasr.media.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.codec.AudioCodec;
import org.streamasr.media.sip.sdp.SdpAnswerBuilder;
import org.streamasr.media.sip.sdp.SdpNegotiator;
import org.streamasr.media.sip.sdp.SdpParseException;
import org.streamasr.media.sip.sdp.SdpParser;
import org.streamasr.media.sip.sdp.SessionDescription;
import org.streamasr.media.sip.sdp.SrtpMode;
import org.streamasr.media.sip.sdp.StreamDecision;
import org.streamasr.media.sip.siprec.MalformedBodyException;
import org.streamasr.media.sip.siprec.MultipartMixed;
import org.streamasr.media.sip.siprec.RecordingMetadata;
import org.streamasr.media.sip.siprec.RecordingMetadataParser;
import org.streamasr.media.sip.siprec.SiprecBodies;
import org.streamasr.media.sip.srtp.SdesKey;
import org.streamasr.testing.RecordingCallSink;

/**
 * The generated and random corpus of SIP bodies ({@link SipBodyCorpus}) through the body parsers: the SDP parser,
 * the negotiator and answer writer behind it, the multipart/mixed splitter and the rs-metadata reader. None may throw
 * anything but its own refusal ({@link SdpParseException}, {@link MalformedBodyException}); whatever they accept must
 * be usable (an answer that parses again). Then a sample of the refused bodies goes to a running gateway in INVITEs:
 * each is answered with its error and counted under it, and a good call still works after.
 */
class SipBodyCorpusTest {
    private static final SdpNegotiator NEGOTIATOR = new SdpNegotiator(
            List.of(AudioCodec.OPUS, AudioCodec.G722, AudioCodec.PCMU, AudioCodec.PCMA), true, SrtpMode.OPTIONAL);
    private static final SecureRandom KEYS = new SecureRandom();

    private final RecordingCallSink sink = new RecordingCallSink().lenientAfterClose();
    private final LoopbackMediaFactory media = new LoopbackMediaFactory();
    private final MediaMetrics metrics = new MediaMetrics();
    private SipGateway gateway;

    @AfterEach
    void stop() {
        if (gateway != null) gateway.close();
        assertEquals(0, media.openCount(), "media receivers left open");
    }

    /** What the parsers made of one SDP body. */
    enum SdpOutcome { REFUSED, NOTHING_ACCEPTED, ACCEPTED }

    /** Parses, negotiates and answers; only a refusal may be thrown, and an answer must read back. */
    static SdpOutcome readSdp(String text) {
        SessionDescription sd;
        try {
            sd = SdpParser.parse(text);
        } catch (SdpParseException e) {
            assertNotNull(e.getMessage());
            return SdpOutcome.REFUSED;
        } catch (RuntimeException e) {
            throw new AssertionError("SdpParser threw " + e + " on: " + clip(text), e);
        }
        try {
            List<StreamDecision> ds = NEGOTIATOR.decide(sd);
            assertEquals(sd.media().size(), ds.size(), "one decision per m= line");
            if (ds.stream().noneMatch(StreamDecision::isAccepted)) return SdpOutcome.NOTHING_ACCEPTED;
            Map<Integer, Integer> ports = new HashMap<>();
            Map<Integer, SdesKey> keys = new HashMap<>();
            for (StreamDecision d : ds) {
                if (!d.isAccepted()) continue;
                ports.put(d.index(), 40_000 + 2 * d.index());
                if (d.accepted().secure()) {
                    keys.put(d.index(), SdesKey.generate(d.accepted().remoteKey().tag(), d.accepted().remoteKey().suite(), KEYS));
                }
            }
            String answer = SdpAnswerBuilder.answer(ds, "192.0.2.10", ports, keys, 1, 1).toSdp();
            assertEquals(sd.media().size(), SdpParser.parse(answer).media().size(), "the answer reads back: " + answer);
            return SdpOutcome.ACCEPTED;
        } catch (SdpParseException | RuntimeException e) {
            throw new AssertionError("negotiating or answering threw " + e + " on: " + clip(text), e);
        }
    }

    @Test
    void sdpCorpusIsReadOrRefusedAndNeverThrows() throws Exception {
        List<String> corpus = new SipBodyCorpus(1001).sdp(12_000, 6_000);
        Map<SdpOutcome, Integer> outcomes = new java.util.EnumMap<>(SdpOutcome.class);
        for (String text : corpus) outcomes.merge(readSdp(text), 1, Integer::sum);
        System.out.println("SDP corpus: " + corpus.size() + " bodies: " + outcomes);
        for (SdpOutcome o : SdpOutcome.values()) assertTrue(outcomes.getOrDefault(o, 0) > 100, "the corpus reaches " + o + ": " + outcomes);
        for (String good : SipBodyCorpus.sdpSeeds()) assertEquals(SdpOutcome.ACCEPTED, readSdp(good), "a good offer after all that: " + good);
    }

    @Test
    void siprecCorpusIsReadOrRefusedAndNeverThrows() throws Exception {
        SipBodyCorpus corpus = new SipBodyCorpus(2002);
        int split = 0;
        int refused = 0;
        for (String body : corpus.multipart(4_000, 2_000)) {
            List<MultipartMixed.Part> parts;
            try {
                parts = MultipartMixed.parse(body.getBytes(StandardCharsets.UTF_8), SiprecBodies.BOUNDARY);
                split++;
            } catch (MalformedBodyException e) {
                refused++;
                continue;
            } catch (RuntimeException e) {
                throw new AssertionError("MultipartMixed threw " + e + " on: " + clip(body), e);
            }
            for (MultipartMixed.Part p : parts) {
                assertNotNull(p.contentType());
                if (p.contentType().equals("application/sdp")) readSdp(p.content());
                if (p.contentType().equals("application/rs-metadata+xml")) readMetadata(p.content());
            }
        }
        for (String ct : corpus.contentTypes(5_000)) {
            try {
                String b = MultipartMixed.boundaryOf(ct);
                assertTrue(b == null || (!b.isEmpty() && b.length() <= 70), "boundary '" + b + "' of " + clip(ct));
            } catch (RuntimeException e) {
                throw new AssertionError("boundaryOf threw " + e + " on: " + clip(ct), e);
            }
        }
        int[] metadata = new int[2];
        for (String xml : corpus.metadata(2_000, 1_000)) metadata[readMetadata(xml) ? 0 : 1]++;
        System.out.println("SIPREC corpus: multipart " + split + " split, " + refused + " refused; rs-metadata "
                + metadata[0] + " read, " + metadata[1] + " refused");
        assertTrue(split > 100 && refused > 100 && metadata[0] > 100 && metadata[1] > 100, "both outcomes reached");

        String good = SipBodyCorpus.multipartSeeds().get(0);
        List<MultipartMixed.Part> parts = MultipartMixed.parse(good.getBytes(StandardCharsets.UTF_8), SiprecBodies.BOUNDARY);
        RecordingMetadata md = RecordingMetadataParser.parse(parts.get(1).content());
        assertEquals("Alice", md.senderOfLabel("96").displayName(), "good metadata still reads after all that");
    }

    /** True when read, false when refused; anything else thrown fails the test. */
    private static boolean readMetadata(String xml) {
        try {
            RecordingMetadata md = RecordingMetadataParser.parse(xml);
            md.senderOfLabel("96");
            RecordingMetadata.EMPTY.apply(md);
            return true;
        } catch (MalformedBodyException e) {
            assertNotNull(e.getMessage());
            return false;
        } catch (RuntimeException e) {
            throw new AssertionError("RecordingMetadataParser threw " + e + " on: " + clip(xml), e);
        }
    }

    /**
     * A sample of the corpus, each in an INVITE to a running gateway: every body the parsers refuse gets 400, every
     * offer with nothing we can take gets 488, each counted once under its status; then a good call works.
     */
    @Test
    void refusedBodiesAreAnsweredAndCountedAndAGoodCallStillWorks() throws Exception {
        gateway = new SipGateway(SipGatewayConfig.defaults(0).withBind("127.0.0.1", 0), sink, media, metrics);
        SipBodyCorpus corpus = new SipBodyCorpus(3003);
        record Case(String contentType, String body, int status) {
        }
        List<Case> cases = new ArrayList<>();
        int bad400 = 0;
        int bad488 = 0;
        for (String sdp : corpus.sdp(3_000, 1_000)) {
            if (sdp.getBytes(StandardCharsets.UTF_8).length > 8_000) continue; // one UDP datagram
            SdpOutcome o = readSdp(sdp);
            if (o == SdpOutcome.REFUSED && bad400 < 60) {
                cases.add(new Case("application/sdp", sdp, 400));
                bad400++;
            } else if (o == SdpOutcome.NOTHING_ACCEPTED && bad488 < 40) {
                cases.add(new Case("application/sdp", sdp, 488));
                bad488++;
            }
        }
        int badMultipart = 0;
        for (String body : corpus.multipart(600, 300)) {
            if (badMultipart == 60 || body.getBytes(StandardCharsets.UTF_8).length > 8_000) continue;
            try {
                MultipartMixed.parse(body.getBytes(StandardCharsets.UTF_8), SiprecBodies.BOUNDARY);
            } catch (MalformedBodyException e) {
                cases.add(new Case("multipart/mixed;boundary=" + SiprecBodies.BOUNDARY, body, 400));
                badMultipart++;
            }
        }
        assertEquals(60 + 40 + 60, cases.size(), "the sample is complete");

        List<String> wrong = new ArrayList<>();
        for (Case k : cases) {
            try (RawSipClient c = new RawSipClient("udp", gateway.port())) {
                c.send(SipTestMessages.request(c, "INVITE", "x", UUID.randomUUID().toString(), 1, "f", null,
                        k.contentType(), k.body()));
                RawSipClient.Message answer = c.awaitStatus(k.status());
                if (answer == null || answer.status() != k.status()) {
                    wrong.add((answer == null ? "no answer" : answer.startLine()) + ", expected " + k.status() + " for "
                            + clip(k.body()));
                }
            }
        }
        assertTrue(wrong.isEmpty(), wrong.size() + " wrong answers:\n" + String.join("\n", wrong));
        var drops = metrics.dropCounter("sip");
        SipGatewayTest.poll(() -> drops.count("rejected-400") + drops.count("rejected-488") == cases.size(),
                "every refusal counted: " + drops.snapshot());
        assertEquals(bad400 + badMultipart, drops.count("rejected-400"), drops.snapshot().toString());
        assertEquals(bad488, drops.count("rejected-488"), drops.snapshot().toString());
        assertEquals(0, sink.calls().stream().filter(call -> !call.isClosed()).count(), "no refused body left a call open");

        try (RawSipClient c = new RawSipClient("udp", gateway.port())) {
            String callId = UUID.randomUUID().toString();
            c.send(SipTestMessages.request(c, "INVITE", "x", callId, 1, "f", null, "application/sdp",
                    SipTestMessages.offer(40000, "0")));
            RawSipClient.Message ok = c.awaitStatus(200);
            assertNotNull(ok);
            assertEquals(200, ok.status(), ok.toString());
            String toTag = SipTestMessages.tagOf(ok.header("to"));
            c.send(SipTestMessages.ack(c, "x", callId, 1, "f", toTag));
            c.send(SipTestMessages.request(c, "BYE", "x", callId, 2, "f", toTag, null, null));
            assertEquals(200, c.awaitStatus(200).status());
        }
        SipGatewayTest.poll(() -> gateway.activeCalls() == 0, "good call ended");
    }

    static String clip(String s) {
        String e = s.replace("\r", "\\r").replace("\n", "\\n");
        return e.length() <= 300 ? "'" + e + "'" : "'" + e.substring(0, 300) + "...' (" + s.length() + " chars)";
    }
}

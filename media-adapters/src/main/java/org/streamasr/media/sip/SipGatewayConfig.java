package org.streamasr.media.sip;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.streamasr.media.codec.AudioCodec;
import org.streamasr.media.sip.sdp.SrtpMode;

/**
 * Settings of the SIP gateway ({@code asr.sip} in the server configuration, documented in reference.conf).
 *
 * @param bindAddress        address the SIP listeners bind ("0.0.0.0" for all)
 * @param port               SIP port for every transport; 0 picks a free one (tests)
 * @param transports         "udp" and/or "tcp"
 * @param advertisedAddress  address written into Contact and SDP; {@code null} uses the address each request came in on
 * @param codecs             codecs we accept, most preferred first
 * @param telephoneEvent     accept RFC 4733 telephone-event alongside the codec (events are received and dropped)
 * @param srtp               which media transports are accepted
 * @param allowedSources     peers that may call (addresses or CIDR blocks); empty admits all
 * @param requiredUser       the Request-URI user part calls must be addressed to, or {@code null} for any
 * @param siprec             accept SIPREC recording sessions (RFC 7866)
 * @param maxCalls           concurrent calls; more are refused with 503
 * @param maxBodyBytes       largest message body accepted; larger ones get 413
 * @param sessionExpires     the longest RFC 4028 session interval granted to a caller that supports session timers
 * @param minSessionExpires  the smallest interval accepted (our Min-SE); smaller requests get 422
 * @param maxCallDuration    a call is ended with BYE after this long; zero for no limit
 * @param language           language of the transcripts ({@code null}: the server's default)
 * @param workerThreads      threads that run call signalling (parsing, negotiation, opening media)
 */
public record SipGatewayConfig(String bindAddress, int port, List<String> transports, String advertisedAddress,
                               List<AudioCodec> codecs, boolean telephoneEvent, SrtpMode srtp,
                               List<String> allowedSources, String requiredUser, boolean siprec, int maxCalls,
                               int maxBodyBytes, Duration sessionExpires, Duration minSessionExpires,
                               Duration maxCallDuration, String language, int workerThreads) {

    public static final int DEFAULT_PORT = 5060;

    public SipGatewayConfig {
        transports = transports.stream().map(t -> t.trim().toLowerCase(Locale.ROOT)).distinct().toList();
        if (transports.isEmpty()) throw new IllegalArgumentException("asr.sip.transports: at least one of udp, tcp");
        for (String t : transports) {
            if (!t.equals("udp") && !t.equals("tcp")) throw new IllegalArgumentException("asr.sip.transports: unknown transport " + t);
        }
        if (port < 0 || port > 65_535) throw new IllegalArgumentException("asr.sip.port: out of range: " + port);
        codecs = List.copyOf(codecs);
        if (codecs.isEmpty()) throw new IllegalArgumentException("asr.sip.codecs: at least one codec");
        allowedSources = List.copyOf(allowedSources);
        new SourceFilter(allowedSources); // fails with the bad entry named
        if (requiredUser != null && requiredUser.isBlank()) requiredUser = null;
        if (advertisedAddress != null && advertisedAddress.isBlank()) advertisedAddress = null;
        if (maxCalls < 1) throw new IllegalArgumentException("asr.sip.max-calls: must be at least 1");
        if (maxBodyBytes < 1024) throw new IllegalArgumentException("asr.sip.max-body-size: must be at least 1 KiB");
        if (minSessionExpires.toSeconds() < 90) throw new IllegalArgumentException("asr.sip.min-session-expires: RFC 4028 requires at least 90s");
        if (sessionExpires.compareTo(minSessionExpires) < 0) throw new IllegalArgumentException("asr.sip.session-expires: below min-session-expires");
        if (maxCallDuration.isNegative()) throw new IllegalArgumentException("asr.sip.max-call-duration: negative");
        if (workerThreads < 1) throw new IllegalArgumentException("asr.sip.worker-threads: must be at least 1");
    }

    /** The defaults of reference.conf, on a given port. */
    public static SipGatewayConfig defaults(int port) {
        return new SipGatewayConfig("0.0.0.0", port, List.of("udp", "tcp"), null,
                List.of(AudioCodec.OPUS, AudioCodec.G722, AudioCodec.PCMU, AudioCodec.PCMA), true, SrtpMode.OPTIONAL,
                List.of(), null, true, 100, 65_536, Duration.ofMinutes(30), Duration.ofSeconds(90), Duration.ofHours(4),
                null, 2);
    }

    public SipGatewayConfig withBind(String address, int newPort) {
        return new SipGatewayConfig(address, newPort, transports, advertisedAddress, codecs, telephoneEvent, srtp,
                allowedSources, requiredUser, siprec, maxCalls, maxBodyBytes, sessionExpires, minSessionExpires,
                maxCallDuration, language, workerThreads);
    }

    public SipGatewayConfig withAccess(List<String> sources, String user) {
        return new SipGatewayConfig(bindAddress, port, transports, advertisedAddress, codecs, telephoneEvent, srtp,
                sources, user, siprec, maxCalls, maxBodyBytes, sessionExpires, minSessionExpires, maxCallDuration,
                language, workerThreads);
    }

    public SipGatewayConfig withLimits(int calls, Duration maxDuration) {
        return new SipGatewayConfig(bindAddress, port, transports, advertisedAddress, codecs, telephoneEvent, srtp,
                allowedSources, requiredUser, siprec, calls, maxBodyBytes, sessionExpires, minSessionExpires,
                maxDuration, language, workerThreads);
    }

    public SipGatewayConfig withMaxBody(int bytes) {
        return new SipGatewayConfig(bindAddress, port, transports, advertisedAddress, codecs, telephoneEvent, srtp,
                allowedSources, requiredUser, siprec, maxCalls, bytes, sessionExpires, minSessionExpires,
                maxCallDuration, language, workerThreads);
    }

    public SipGatewayConfig withSessionTimers(Duration interval, Duration minimum) {
        return new SipGatewayConfig(bindAddress, port, transports, advertisedAddress, codecs, telephoneEvent, srtp,
                allowedSources, requiredUser, siprec, maxCalls, maxBodyBytes, interval, minimum, maxCallDuration,
                language, workerThreads);
    }

    public SipGatewayConfig withSiprec(boolean on) {
        return new SipGatewayConfig(bindAddress, port, transports, advertisedAddress, codecs, telephoneEvent, srtp,
                allowedSources, requiredUser, on, maxCalls, maxBodyBytes, sessionExpires, minSessionExpires,
                maxCallDuration, language, workerThreads);
    }

    public SipGatewayConfig withMedia(List<AudioCodec> newCodecs, SrtpMode newSrtp) {
        return new SipGatewayConfig(bindAddress, port, transports, advertisedAddress, newCodecs, telephoneEvent, newSrtp,
                allowedSources, requiredUser, siprec, maxCalls, maxBodyBytes, sessionExpires, minSessionExpires,
                maxCallDuration, language, workerThreads);
    }
}

package org.streamasr.server;

import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamasr.media.CallSink;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.adapter.OutboundQueue;
import org.streamasr.media.adapter.WsLimits;
import org.streamasr.media.fork.AudioForkConfig;
import org.streamasr.media.fork.AudioForkEndpoints;
import org.streamasr.media.fork.AudioSocketConfig;
import org.streamasr.media.fork.AudioSocketServer;
import org.streamasr.media.fork.TwilioConfig;
import org.streamasr.media.fork.TwilioEndpoints;
import org.streamasr.media.jigasi.VoskConfig;
import org.streamasr.media.jigasi.VoskEndpoints;
import org.streamasr.media.jitsi.MediaJsonConfig;
import org.streamasr.media.jitsi.MediaJsonEndpoints;
import org.streamasr.media.pipeline.MediaExecutors;
import org.streamasr.media.rtp.GapPolicy;
import org.streamasr.media.rtp.RtpEndpointSpec;
import org.streamasr.media.rtp.RtpEndpoints;
import org.streamasr.media.rtp.RtpStreamConfig;
import org.streamasr.media.sip.RtpSipMedia;
import org.streamasr.media.sip.SipGateway;
import org.streamasr.media.sip.SipGatewayConfig;

/**
 * The media adapters of one server, built from asr.media and asr.sip: the WebSocket endpoints to deploy on the
 * server's port, the RTP receiver, the SIP gateway and the media CPU pool. Owns the pool, the receiver and the
 * gateway; {@link #close()} releases them.
 */
final class MediaAdapters implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MediaAdapters.class);

    private final MediaExecutors executors;
    private final List<ServerEndpointConfig> endpoints = new ArrayList<>();
    private final List<String> deployed = new ArrayList<>();
    private final RtpEndpoints rtp;
    private AudioSocketServer audioSocket;
    private final UnaryOperator<RtpEndpointSpec> rtpTuning;
    private final SipGateway sip;

    MediaAdapters(ConfigReader r, CallSink sink, MediaMetrics metrics) throws IOException {
        int cpu = r.intIn("asr.media.cpu-threads", 0, 1024);
        WsLimits limits = new WsLimits(
                (int) r.bytesIn("asr.media.websocket.max-message", 1024, 64L << 20),
                new OutboundQueue.Limits((int) r.bytesIn("asr.media.websocket.max-outbound", 1024, 1L << 30),
                        r.intIn("asr.media.websocket.max-outbound-messages", 1, 1_000_000)),
                r.durationIn("asr.media.websocket.idle-timeout", Duration.ZERO, Duration.ofDays(1)));
        MediaJsonConfig mediaJson = r.bool("asr.media.mediajson.enabled") ? mediaJson(r, limits) : null;
        RtpEndpoints.Config rtpConfig = r.bool("asr.media.rtp.enabled") ? rtpConfig(r) : null;
        this.rtpTuning = rtpConfig == null ? UnaryOperator.identity() : rtpTuning(r);
        SipGatewayConfig sipConfig = SipSettings.enabled(r) ? SipSettings.read(r) : null;
        if (sipConfig != null && rtpConfig == null) {
            throw new InvalidConfigException("asr.sip.enabled", "the SIP gateway receives media on asr.media.rtp ports; enable asr.media.rtp");
        }

        this.executors = MediaExecutors.create(cpu == 0 ? Runtime.getRuntime().availableProcessors() : cpu);
        try {
            if (mediaJson != null) {
                endpoints.addAll(MediaJsonEndpoints.create(sink, metrics, mediaJson));
                deployed.add("MEDIAJSON " + String.join(" ", mediaJson.paths()));
            }
            if (r.bool("asr.media.vosk.enabled")) {
                VoskConfig vosk = VoskConfig.defaults();
                endpoints.addAll(VoskEndpoints.create(sink, metrics, vosk));
                deployed.add("Vosk " + String.join(" ", vosk.paths()));
            }
            if (r.bool("asr.media.audio-fork.enabled")) {
                AudioForkConfig fork = AudioForkConfig.defaults();
                endpoints.addAll(AudioForkEndpoints.create(sink, metrics, fork));
                deployed.add("mod_audio_fork/jambonz " + String.join(" ", fork.paths()));
            }
            if (r.bool("asr.media.twilio.enabled")) {
                TwilioConfig twilio = TwilioConfig.defaults();
                endpoints.addAll(TwilioEndpoints.create(sink, metrics, twilio));
                deployed.add("Twilio " + String.join(" ", twilio.paths()));
            }
            if (r.bool("asr.media.audiosocket.enabled")) {
                int port = r.intIn("asr.media.audiosocket.port", 0, 65535);
                audioSocket = AudioSocketServer.start(sink, metrics, AudioSocketConfig.defaults().withPort(port));
                deployed.add("AudioSocket TCP " + audioSocket.port());
            }
            this.rtp = rtpConfig == null ? null : new RtpEndpoints(rtpConfig, executors, metrics);
            if (rtp != null) deployed.add("RTP ports " + rtpConfig.portMin() + "-" + rtpConfig.portMax());
            try {
                this.sip = sipConfig == null ? null
                        : new SipGateway(sipConfig, sink, new RtpSipMedia(rtp, rtpTuning, SipSettings.rtpTimeout(r), metrics), metrics);
            } catch (IOException | RuntimeException e) {
                if (rtp != null) rtp.close();
                throw e;
            }
            if (sip != null) deployed.add("SIP " + String.join("+", sipConfig.transports()) + " port " + sip.port());
        } catch (IOException | RuntimeException e) {
            if (audioSocket != null) audioSocket.close();
            executors.close();
            throw e;
        }
        LOG.info("media adapters: {}", deployed.isEmpty() ? "none" : String.join("; ", deployed));
    }

    private static MediaJsonConfig mediaJson(ConfigReader r, WsLimits limits) {
        String p = "asr.media.mediajson.";
        List<String> paths = r.stringList(p + "paths");
        for (String path : paths) {
            if (!path.startsWith("/")) throw new InvalidConfigException(p + "paths", "'" + path + "' must start with /");
        }
        try {
            return new MediaJsonConfig(paths, r.string(p + "default-language"), r.bool(p + "send-interim"),
                    r.doubleIn(p + "interim-stability", 0, 1),
                    r.durationIn(p + "conceal-cap", Duration.ZERO, Duration.ofSeconds(10)),
                    r.durationIn(p + "silence-cap", Duration.ZERO, Duration.ofMinutes(10)),
                    (int) r.bytesIn(p + "max-payload-bytes", 64, 1 << 20),
                    r.intIn(p + "max-sources", 1, 10_000), limits);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException("asr.media.mediajson", e.getMessage());
        }
    }

    private static RtpEndpoints.Config rtpConfig(ConfigReader r) {
        String p = "asr.media.rtp.";
        InetAddress bind;
        try {
            bind = InetAddress.getByName(r.string(p + "bind"));
        } catch (java.net.UnknownHostException e) {
            throw new InvalidConfigException(p + "bind", "unknown address '" + r.string(p + "bind") + "'");
        }
        int min = r.intIn(p + "port-min", 0, 65535);
        int max = r.intIn(p + "port-max", 0, 65535);
        try {
            return new RtpEndpoints.Config(bind, min, max, (int) r.bytesIn(p + "receive-buffer", 16 * 1024, 64 << 20));
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException(p + "port-min/port-max", e.getMessage());
        }
    }

    /** asr.media.rtp's receive settings (jitter buffer, gap filling, queue, timeouts), applied to each call's port. */
    private static UnaryOperator<RtpEndpointSpec> rtpTuning(ConfigReader r) {
        String p = "asr.media.rtp.";
        Duration depth = r.durationIn(p + "jitter-depth", RtpStreamConfig.MIN_DEPTH, RtpStreamConfig.MAX_DEPTH);
        Duration conceal = r.durationIn(p + "max-concealment", Duration.ZERO, Duration.ofSeconds(1));
        Duration fill = r.durationIn(p + "max-gap-fill", conceal, Duration.ofMinutes(1));
        Duration queue = r.durationIn(p + "queue", Duration.ofMillis(100), Duration.ofMinutes(1));
        Duration inactivity = r.durationIn(p + "inactivity-timeout", Duration.ofMillis(100), Duration.ofDays(1));
        Duration streamIdle = r.durationIn(p + "stream-idle-timeout", Duration.ofMillis(100), Duration.ofDays(1));
        int maxStreams = r.intIn(p + "max-streams-per-port", 1, 10_000);
        RtpStreamConfig stream = new RtpStreamConfig(depth, new GapPolicy(conceal, fill), queue);
        return spec -> spec.withStream(stream).withTimeouts(inactivity, streamIdle).withMaxStreams(maxStreams);
    }

    /** Applies asr.media.rtp's receive settings to a call's RTP spec. */
    RtpEndpointSpec tuneRtp(RtpEndpointSpec spec) {
        return rtpTuning.apply(spec);
    }

    List<ServerEndpointConfig> webSocketEndpoints() {
        return endpoints;
    }

    /** The RTP receiver, or null when asr.media.rtp.enabled is false. */
    RtpEndpoints rtp() {
        return rtp;
    }

    /** The SIP gateway, or null when asr.sip.enabled is false. */
    SipGateway sip() {
        return sip;
    }

    @Override
    public void close() {
        if (audioSocket != null) audioSocket.close();
        if (sip != null) sip.close();
        if (rtp != null) rtp.close();
        executors.close();
    }
}

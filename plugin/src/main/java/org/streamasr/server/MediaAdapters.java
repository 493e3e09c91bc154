package org.streamasr.server;

import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamasr.media.CallSink;
import org.streamasr.media.CallSpec;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.fork.AudioForkConfig;
import org.streamasr.media.fork.AudioForkEndpoints;
import org.streamasr.media.fork.AudioSocketConfig;
import org.streamasr.media.fork.AllowedSources;
import org.streamasr.media.fork.AudioSocketServer;
import org.streamasr.media.fork.TwilioSignatureGuard;
import org.streamasr.media.adapter.ApiKeyGuard;
import org.streamasr.media.adapter.ConnectionGuard;
import org.streamasr.media.fork.TwilioConfig;
import org.streamasr.media.fork.TwilioEndpoints;
import org.streamasr.media.jigasi.VoskConfig;
import org.streamasr.media.jigasi.VoskEndpoints;
import org.streamasr.media.jigasi.WhisperConfig;
import org.streamasr.media.jigasi.WhisperEndpoints;
import org.streamasr.media.jitsi.MediaJsonConfig;
import org.streamasr.media.jitsi.MediaJsonEndpoints;
import org.streamasr.media.pipeline.MediaExecutors;
import org.streamasr.media.rtp.RtpEndpointSpec;
import org.streamasr.media.rtp.RtpEndpoints;
import org.streamasr.media.sip.RtpSipMedia;
import org.streamasr.media.sip.SipGateway;
import org.streamasr.media.sip.SipGatewayConfig;

/**
 * The media adapters of one server, built from its {@link MediaConfig}: the WebSocket endpoints to deploy on the
 * server's port, the AudioSocket server, the RTP receiver, the SIP gateway and the media CPU pool. Each adapter gives
 * the calls it opens its configured language when the media server names none. Owns the pool, the receiver and the
 * servers; {@link #close()} releases them.
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

    /**
     * How the adapters are locked when the server has API keys (README adapter table); {@link #OPEN} without.
     *
     * @param apiKeys          keys a WebSocket adapter's connection must carry (none: every adapter is open)
     * @param twilioAuthTokens auth tokens whose X-Twilio-Signature is accepted instead of a key
     * @param publicUrl        the server's public URL (the URL Twilio signs), or null
     * @param audioSocketFrom  addresses and CIDR blocks AudioSocket connections may come from
     */
    record Locks(List<String> apiKeys, List<String> twilioAuthTokens, String publicUrl, List<String> audioSocketFrom) {
        static final Locks OPEN = new Locks(List.of(), List.of(), null, List.of());
    }

    MediaAdapters(MediaConfig settings, CallSink sink, MediaMetrics metrics) throws IOException {
        this(settings, sink, metrics, Locks.OPEN);
    }

    MediaAdapters(MediaConfig settings, CallSink sink, MediaMetrics metrics, Locks locks) throws IOException {
        this.rtpTuning = settings.rtpTuning() == null ? UnaryOperator.identity() : settings.rtpTuning()::apply;
        int cpu = settings.cpuThreads();
        this.executors = MediaExecutors.create(cpu == 0 ? Runtime.getRuntime().availableProcessors() : cpu);
        try {
            if (settings.mediaJson() != null) {
                MediaJsonConfig c = settings.mediaJson();
                endpoints.addAll(locked(MediaJsonEndpoints.create(withLanguage(sink, settings.language("mediajson")), metrics, executors.cpu(), c), keyGuard(locks)));
                deployed.add("MEDIAJSON " + String.join(" ", c.paths()));
            }
            if (settings.vosk() != null) {
                VoskConfig c = settings.vosk();
                endpoints.addAll(locked(VoskEndpoints.create(withLanguage(sink, settings.language("vosk")), metrics, executors.cpu(), c), keyGuard(locks)));
                deployed.add("Vosk " + String.join(" ", c.paths()));
            }
            if (settings.whisper() != null) {
                WhisperConfig c = settings.whisper();
                endpoints.addAll(WhisperEndpoints.create(withLanguage(sink, settings.language("whisper")), metrics, executors.cpu(), c));
                deployed.add("Whisper/Skynet " + String.join(" ", c.paths()) + (c.open() ? " (open: no token checked)" : " (JWT)"));
            }
            if (settings.audioFork() != null) {
                AudioForkConfig c = settings.audioFork();
                endpoints.addAll(locked(AudioForkEndpoints.create(withLanguage(sink, settings.language("audio-fork")), metrics, executors.cpu(), c), keyGuard(locks)));
                deployed.add("mod_audio_fork/jambonz " + String.join(" ", c.paths()));
            }
            if (settings.twilio() != null) {
                TwilioConfig c = settings.twilio();
                endpoints.addAll(locked(TwilioEndpoints.create(withLanguage(sink, settings.language("twilio")), metrics, executors.cpu(), c), twilioGuard(locks)));
                deployed.add("Twilio " + String.join(" ", c.paths()));
            }
            if (settings.audioSocket() != null) {
                AudioSocketConfig c = settings.audioSocket();
                try {
                    audioSocket = AudioSocketServer.start(withLanguage(sink, settings.language("audiosocket")), metrics, executors.cpu(),
                            c, locks.apiKeys().isEmpty() ? a -> true : new AllowedSources(locks.audioSocketFrom()));
                } catch (IOException e) {
                    throw new InvalidConfigException("asr.media.audiosocket.port", "cannot listen on " + c.host() + ":"
                            + c.port() + ": " + e.getMessage());
                }
                deployed.add("AudioSocket TCP " + audioSocket.port());
            }
            RtpEndpoints.Config rtpConfig = settings.rtp();
            this.rtp = rtpConfig == null ? null : new RtpEndpoints(rtpConfig, executors, metrics);
            if (rtp != null) {
                deployed.add(rtpConfig.portMax() == 0 ? "RTP on ephemeral ports"
                        : "RTP ports " + rtpConfig.portMin() + "-" + rtpConfig.portMax());
            }
            SipGatewayConfig sipConfig = settings.sip();
            try {
                this.sip = sipConfig == null ? null : new SipGateway(sipConfig, sink,
                        new RtpSipMedia(rtp, rtpTuning, settings.sipRtpTimeout(), metrics), metrics);
            } catch (IOException e) {
                if (rtp != null) rtp.close();
                throw new InvalidConfigException("asr.sip.port", e.getMessage());
            } catch (RuntimeException e) {
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

    private static ConnectionGuard keyGuard(Locks locks) {
        return locks.apiKeys().isEmpty() ? null : new ApiKeyGuard(locks.apiKeys());
    }

    /** Twilio: a valid X-Twilio-Signature (with an auth token configured) or, as for the others, a key in the URL. */
    private static ConnectionGuard twilioGuard(Locks locks) {
        ConnectionGuard key = keyGuard(locks);
        if (key == null || locks.twilioAuthTokens().isEmpty()) return key;
        TwilioSignatureGuard signed = new TwilioSignatureGuard(locks.twilioAuthTokens(), locks.publicUrl());
        return c -> {
            String bySignature = signed.refusal(c);
            if (bySignature == null) return null;
            String byKey = key.refusal(c);
            return byKey == null ? null : bySignature + ", and " + byKey;
        };
    }

    private static List<ServerEndpointConfig> locked(List<ServerEndpointConfig> configs, ConnectionGuard guard) {
        if (guard != null) for (ServerEndpointConfig c : configs) c.getUserProperties().put(ConnectionGuard.PROPERTY, guard);
        return configs;
    }

    /** {@code sink}, giving calls that ask for no language {@code language} (null: the engine's default). */
    static CallSink withLanguage(CallSink sink, String language) {
        if (language == null) return sink;
        return (spec, listener) -> sink.openCall(spec.language() != null && !spec.language().isBlank() ? spec
                : new CallSpec(spec.callId(), spec.source(), language, spec.attributes()), listener);
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

    /** The media CPU pool the adapters' ingest pipelines run on (the outside APIs' live sockets use it too). */
    public java.util.concurrent.Executor mediaPool() {
        return executors.cpu();
    }
}

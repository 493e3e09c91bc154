package org.streamasr.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.streamasr.media.adapter.WsLimits;
import org.streamasr.media.fork.AudioForkConfig;
import org.streamasr.media.fork.AudioSocketConfig;
import org.streamasr.media.fork.TwilioConfig;
import org.streamasr.media.jigasi.VoskConfig;
import org.streamasr.media.jigasi.WhisperConfig;
import org.streamasr.media.jitsi.MediaJsonConfig;
import org.streamasr.media.rtp.RtpEndpoints;
import org.streamasr.media.sip.SipGatewayConfig;

/**
 * What the server deploys for media ({@code asr.media}, {@code asr.sip}), read and checked at start-up: each
 * adapter's config, or null when it is disabled. A bad value stops the server with its key named.
 *
 * @param languages the recognition language each enabled adapter gives calls that do not ask for one, by the key that
 *                  set it ("asr.media.vosk.language", "asr.sip.language"); checked against the engine at start-up
 */
public record MediaConfig(int cpuThreads, MediaJsonConfig mediaJson, VoskConfig vosk, WhisperConfig whisper,
                            AudioForkConfig audioFork, TwilioConfig twilio, AudioSocketConfig audioSocket,
                            RtpEndpoints.Config rtp, RtpConfigReader.Tuning rtpTuning, SipGatewayConfig sip,
                            Duration sipRtpTimeout, Map<String, String> languages) {

    public MediaConfig {
        languages = Map.copyOf(languages);
    }

    static MediaConfig read(ConfigReader r) {
        int cpu = r.intIn("asr.media.cpu-threads", 0, 1024);
        Map<String, String> languages = new LinkedHashMap<>();
        MediaJsonConfig mediaJson = enabled(r, "mediajson", languages) ? AdapterConfigReader.mediaJson(r) : null;
        VoskConfig vosk = enabled(r, "vosk", languages) ? AdapterConfigReader.vosk(r) : null;
        WhisperConfig whisper = enabled(r, "whisper", languages) ? WhisperConfigReader.read(r) : null;
        AudioForkConfig fork = enabled(r, "audio-fork", languages) ? AdapterConfigReader.audioFork(r) : null;
        TwilioConfig twilio = enabled(r, "twilio", languages) ? AdapterConfigReader.twilio(r) : null;
        AudioSocketConfig audioSocket = enabled(r, "audiosocket", languages) ? AdapterConfigReader.audioSocket(r) : null;
        RtpEndpoints.Config rtp = RtpConfigReader.enabled(r) ? RtpConfigReader.ports(r) : null;
        RtpConfigReader.Tuning tuning = rtp == null ? null : RtpConfigReader.tuning(r);
        SipGatewayConfig sip = SipConfigReader.enabled(r) ? SipConfigReader.read(r) : null;
        if (sip != null && rtp == null) {
            throw new InvalidConfigException("asr.sip.enabled", "the SIP gateway receives media on asr.media.rtp ports; enable asr.media.rtp");
        }
        if (sip != null && sip.language() != null) languages.put("asr.sip.language", sip.language());
        MediaConfig s = new MediaConfig(cpu, mediaJson, vosk, whisper, fork, twilio, audioSocket, rtp, tuning, sip,
                sip == null ? null : SipConfigReader.rtpTimeout(r), languages);
        s.checkPathsDistinct();
        return s;
    }

    private static boolean enabled(ConfigReader r, String adapter, Map<String, String> languages) {
        if (!AdapterConfigReader.enabled(r, adapter)) return false;
        String language = AdapterConfigReader.language(r, adapter);
        if (language != null) languages.put(AdapterConfigReader.MEDIA + adapter + ".language", language);
        return true;
    }

    /** The enabled WebSocket adapters' paths, by their config section. */
    Map<String, List<String>> webSocketPaths() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (mediaJson != null) out.put("mediajson", mediaJson.paths());
        if (vosk != null) out.put("vosk", vosk.paths());
        if (whisper != null) out.put("whisper", whisper.paths());
        if (audioFork != null) out.put("audio-fork", audioFork.paths());
        if (twilio != null) out.put("twilio", twilio.paths());
        return out;
    }

    /** The largest message any enabled WebSocket adapter accepts (the WebSocket engine's buffers must hold it). */
    int maxMessageBytes() {
        return webSocketLimits().stream().mapToInt(WsLimits::maxMessageBytes).max().orElse(0);
    }

    /** The idle timeout the WebSocket adapters share (asr.media.websocket.idle-timeout); zero when none is enabled. */
    java.time.Duration webSocketIdleTimeout() {
        return webSocketLimits().stream().map(WsLimits::idleTimeout).findFirst().orElse(java.time.Duration.ZERO);
    }

    private List<WsLimits> webSocketLimits() {
        List<WsLimits> limits = new ArrayList<>();
        if (mediaJson != null) limits.add(mediaJson.limits());
        if (vosk != null) limits.add(vosk.limits());
        if (whisper != null) limits.add(whisper.limits());
        if (audioFork != null) limits.add(audioFork.limits());
        if (twilio != null) limits.add(twilio.limits());
        return limits;
    }

    /** The language an adapter gives calls that do not ask for one, or null for the engine's default. */
    String language(String adapter) {
        return languages.get(AdapterConfigReader.MEDIA + adapter + ".language");
    }

    private static String shape(String pathTemplate) {
        return pathTemplate.replaceAll("\\{[^}/]*}", "{}");
    }

    /** Two endpoints at one path (template variables' names aside) cannot both be deployed. */
    private void checkPathsDistinct() {
        Map<String, String> owners = new HashMap<>();
        owners.put(shape(org.streamasr.captions.CaptionsEndpoint.PATH), "the captions endpoint");
        for (Map.Entry<String, List<String>> e : webSocketPaths().entrySet()) {
            for (String path : e.getValue()) {
                String owner = owners.putIfAbsent(shape(path), e.getKey());
                if (owner != null) {
                    throw new InvalidConfigException(AdapterConfigReader.MEDIA + e.getKey() + ".paths", "'" + path
                            + "' is already served by " + (owner.startsWith("the ") ? owner : "asr.media." + owner));
                }
            }
        }
    }
}

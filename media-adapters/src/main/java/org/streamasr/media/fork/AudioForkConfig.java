package org.streamasr.media.fork;

import java.util.List;
import org.streamasr.media.adapter.WsLimits;

/**
 * Settings of the mod_audio_fork / jambonz endpoint.
 *
 * @param paths             paths the endpoint is deployed at; a {@code {callId}} segment names the call
 * @param subprotocols      WebSocket subprotocols offered (mod_audio_fork's default, jambonz's; mod_audio_fork's can
 *                          be changed with its {@code MOD_AUDIO_FORK_SUBPROTOCOL_NAME} environment variable)
 * @param defaultSampleRate rate of the L16 audio when neither the metadata ({@code sampleRate}) nor the URL
 *                          ({@code ?rate=}) says; mod_audio_fork sends what its API call asked for and does not tell
 * @param defaultMix        {@code mono} (caller only), {@code mixed} (both sides in one channel) or {@code stereo}
 *                          (caller left, callee right), when neither metadata ({@code mixType}) nor URL ({@code ?mix=})
 *                          says
 * @param sendTranscripts   send transcripts back as mod_audio_fork {@code {"type":"transcription","data":{...}}}
 *                          messages (FreeSWITCH fires {@code mod_audio_fork::transcription} events with them)
 */
public record AudioForkConfig(List<String> paths, List<String> subprotocols, int defaultSampleRate, String defaultMix,
                              boolean sendTranscripts, WsLimits limits) {
    public AudioForkConfig {
        paths = List.copyOf(paths);
        subprotocols = List.copyOf(subprotocols);
        if (paths.isEmpty()) throw new IllegalArgumentException("audio-fork: at least one path");
        if (AudioForkSession.rate(String.valueOf(defaultSampleRate)) == null) {
            throw new IllegalArgumentException("audio-fork: default-sample-rate must be a multiple of 8000 up to 64000");
        }
        if (AudioForkSession.Mix.parse(defaultMix) == null) throw new IllegalArgumentException("audio-fork: default-mix must be mono, mixed or stereo");
    }

    /**
     * Paths {@code /audio-fork} and {@code /audio-fork/{callId}}; subprotocols {@code audio.drachtio.org} (mod_audio_fork's
     * default since 2020), {@code audiostream.drachtio.org} (older builds) and
     * {@code audio.jambonz.org}; 8 kHz mono when not told; transcripts sent back.
     */
    public static AudioForkConfig defaults() {
        return new AudioForkConfig(List.of("/audio-fork", "/audio-fork/{callId}"),
                List.of("audio.drachtio.org", "audiostream.drachtio.org", "audio.jambonz.org"), 8000, "mono", true, WsLimits.defaults());
    }
}

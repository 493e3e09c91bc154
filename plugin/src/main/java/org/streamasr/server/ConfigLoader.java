package org.streamasr.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the server's config from, highest first: flags, environment variables ({@link #ENVIRONMENT}), the file given
 * with --config (or ASR_CONFIG), and reference.conf (every default, documented). A key the user sets that
 * reference.conf does not know is an error (a typo would otherwise be silently ignored).
 */
public final class ConfigLoader {

    /** An environment variable that overrides one key. */
    public record EnvVar(String name, String key, boolean list, String what) {
    }

    /** Every ASR_* variable the server reads, documented in README "Configuration". */
    public static final List<EnvVar> ENVIRONMENT = List.of(
            new EnvVar("ASR_HOST", "asr.server.host", false, "listen address"),
            new EnvVar("ASR_PORT", "asr.server.port", false, "HTTP/WebSocket port"),
            new EnvVar("ASR_PUBLIC_URL", "asr.server.public-url", false, "base URL in captionsUrl replies"),
            new EnvVar("ASR_API_KEYS", "asr.server.api-keys", true, "comma-separated keys for /v1/calls"),
            new EnvVar("ASR_TLS_CERT", "asr.server.tls.cert", false, "PEM certificate chain: the port serves TLS"),
            new EnvVar("ASR_TLS_KEY", "asr.server.tls.key", false, "PEM private key of that certificate"),
            new EnvVar("ASR_SHUTDOWN_GRACE", "asr.server.shutdown-grace", false, "time calls and jobs get on SIGTERM"),
            new EnvVar("ASR_MAX_CALLS", "asr.calls.max", false, "live calls at most"),
            new EnvVar("ASR_IDLE_TIMEOUT", "asr.calls.idle-timeout", false, "a call without audio this long ends"),
            new EnvVar("ASR_RTP_PORT_MIN", "asr.media.rtp.port-min", false, "lowest RTP port"),
            new EnvVar("ASR_RTP_PORT_MAX", "asr.media.rtp.port-max", false, "highest RTP port"),
            new EnvVar("ASR_AUDIOSOCKET_PORT", "asr.media.audiosocket.port", false, "Asterisk AudioSocket TCP port"),
            new EnvVar("ASR_RIVA_PORT", "asr.riva.port", false, "NVIDIA Riva gRPC port"),
            new EnvVar("ASR_WHISPER_ENABLED", "asr.media.whisper.enabled", false, "true deploys the Jigasi Whisper endpoint"),
            new EnvVar("ASR_WHISPER_OPEN", "asr.media.whisper.open", false, "true: Whisper connections need no token"),
            new EnvVar("ASR_WHISPER_JWT_SECRET", "asr.media.whisper.jwt.secret", false, "HS256 secret of Jigasi's tokens"),
            new EnvVar("ASR_WHISPER_JWT_SECRET_FILE", "asr.media.whisper.jwt.secret-file", false, "file with that secret"),
            new EnvVar("ASR_WHISPER_JWT_PUBLIC_KEY", "asr.media.whisper.jwt.public-key", false, "RSA public key (PEM) of Jigasi's tokens"),
            new EnvVar("ASR_WHISPER_JWT_PUBLIC_KEY_FILE", "asr.media.whisper.jwt.public-key-file", false, "file with that key"),
            new EnvVar("ASR_SIP_ENABLED", "asr.sip.enabled", false, "true runs the SIP gateway"),
            new EnvVar("ASR_SIP_PORT", "asr.sip.port", false, "SIP port, UDP and TCP"),
            new EnvVar("ASR_ENGINE", "asr.engine.name", false, "default engine: sphinx or nemotron"),
            new EnvVar("ASR_MODEL_DIR", "asr.engine.model-dir", false, "Nemotron export directory"),
            new EnvVar("ASR_PROVIDER", "asr.engine.provider", false, "ONNX Runtime provider: cpu or cuda"),
            new EnvVar("ASR_WEBHOOK_SECRET", "asr.api.webhooks.secret", false, "the hosted API's webhook signing key"),
            new EnvVar("ASR_NATS_URL", "asr.cluster.nats.url", false, "NATS server URL(s): cluster mode"),
            new EnvVar("ASR_NODE_ID", "asr.cluster.node-id", false, "this node's id in a cluster"));

    /** Keys under these prefixes are user-chosen (named models, AudioSocket kinds), not checked against reference.conf. */
    private static final List<String> FREE_FORM = List.of("asr.models.", "asr.media.audiosocket.kinds.");

    private ConfigLoader() {
    }

    /**
     * @param file  a HOCON file, or null
     * @param env   the environment (System.getenv() in production)
     * @param flags key → value set by command-line flags
     */
    public static Config load(Path file, Map<String, String> env, Map<String, Object> flags) {
        Config reference = ConfigFactory.parseResources(ConfigLoader.class.getClassLoader(), "reference.conf",
                ConfigParseOptions.defaults().setAllowMissing(false));
        Config user = ConfigFactory.parseMap(flags, "command-line flags")
                .withFallback(fromEnvironment(env))
                .withFallback(file == null ? ConfigFactory.empty() : parseFile(file));
        checkKnown(user, reference);
        try {
            return user.withFallback(reference).resolve();
        } catch (ConfigException e) {
            throw new InvalidConfigException(e.getMessage(), e);
        }
    }

    private static Config parseFile(Path file) {
        if (!Files.isRegularFile(file)) throw new InvalidConfigException("--config", "no such file: " + file);
        try {
            return ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
        } catch (ConfigException e) {
            throw new InvalidConfigException(file + ": " + e.getMessage(), e);
        }
    }

    static Config fromEnvironment(Map<String, String> env) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (EnvVar v : ENVIRONMENT) {
            String value = env.get(v.name());
            if (value == null || value.isEmpty()) continue;
            values.put(v.key(), v.list() ? splitList(value) : value);
        }
        Config c = ConfigFactory.empty("environment variables");
        for (Map.Entry<String, Object> e : values.entrySet()) {
            c = c.withValue(e.getKey(), ConfigValueFactory.fromAnyRef(e.getValue(), "environment variable"));
        }
        return c;
    }

    private static List<String> splitList(String value) {
        List<String> out = new ArrayList<>();
        for (String s : Arrays.asList(value.split(","))) if (!s.isBlank()) out.add(s.strip());
        return out;
    }

    private static void checkKnown(Config user, Config reference) {
        for (String key : user.entrySet().stream().map(Map.Entry::getKey).sorted().toList()) {
            if (!key.startsWith("asr.")) continue;
            if (FREE_FORM.stream().anyMatch(key::startsWith)) continue;
            if (!reference.hasPathOrNull(key)) {
                throw new InvalidConfigException(key, "unknown setting (see config/reference.conf for every setting)");
            }
        }
    }
}

package org.streamasr.api.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.streamasr.api.ApiError;
import org.streamasr.api.fetch.AudioFetcher;
import org.streamasr.api.fetch.FetchException;
import org.streamasr.api.jobs.EphemeralAudio;
import org.streamasr.api.store.Outcome;
import org.streamasr.apis.LanguageResolver;
import org.streamasr.apis.ModelNotServedException;
import org.streamasr.apis.ServedModel;
import org.streamasr.apis.ServedModels;
import org.streamasr.apis.deepgram.DeepgramError;
import org.streamasr.apis.deepgram.DeepgramPrerecorded;
import org.streamasr.engine.UnsupportedSettingException;

/**
 * Deepgram's pre-recorded {@code POST /v1/listen}: the audio as the body (any media type) or {@code {"url": ...}}
 * with {@code Content-Type: application/json}, fetched like the hosted API's {@code audio_url} (same SSRF rules and
 * limits). Query: {@code model}, {@code language}, {@code punctuate}, {@code smart_format}, {@code utterances};
 * every other parameter is accepted and ignored, as Deepgram does with unknown ones. {@code callback} is refused
 * (400): this server answers in the response only.
 */
final class DeepgramRestEndpoints {
    private final Endpoints ctx;
    private final ServedModels models;

    DeepgramRestEndpoints(Endpoints ctx, ServedModels models) {
        this.ctx = ctx;
        this.models = models;
    }

    /** Answers every failure of {@code ex} in Deepgram's shape, with {@code dg-request-id} and {@code dg-error}. */
    static void useDeepgramErrors(HttpExchange ex, String requestId) {
        ex.errorWriter((e, err) -> {
            DeepgramError d = fromApiError(err);
            e.send(d.status(), d.body(requestId).toString(), Map.of("dg-request-id", requestId, "dg-error", d.message()));
        });
    }

    static DeepgramError fromApiError(ApiError e) {
        if (e.body().has("err_code")) {
            return new DeepgramError(e.status(), e.body().path("err_code").asText(), e.body().path("err_msg").asText());
        }
        String code = e.status() == 401 ? "INVALID_AUTH" : e.status() >= 500 ? "INTERNAL_SERVER_ERROR"
                : e.status() == 429 ? "TOO_MANY_REQUESTS" : e.status() == 413 ? "PAYLOAD_TOO_LARGE" : "Bad Request";
        return new DeepgramError(e.status() == 422 ? 400 : e.status(), code, e.getMessage());
    }

    static ApiError toApiError(DeepgramError d) {
        return ApiError.withBody(d.status(), d.code(), d.message(), d.body(""));
    }

    void listen(HttpExchange ex, String owner, String requestId) throws ApiError {
        ServedModel model;
        try {
            model = models.resolve(ex.query("model"));
        } catch (ModelNotServedException e) {
            throw toApiError(DeepgramError.badRequest("No such model/language/tier combination found: " + e.getMessage()));
        }
        String language;
        try {
            language = LanguageResolver.resolve(model.engine(), ex.query("language"));
        } catch (UnsupportedSettingException e) {
            throw toApiError(DeepgramError.badRequest("No such model/language/tier combination found: " + e.getMessage()));
        }
        if (ex.query("callback") != null) {
            throw toApiError(DeepgramError.badRequest("callback is not supported by this server: the result is in the "
                    + "response"));
        }
        boolean punctuated = flag(ex, "punctuate") || flag(ex, "smart_format");
        boolean utterances = flag(ex, "utterances");
        boolean json = String.valueOf(ex.header("Content-Type")).toLowerCase(Locale.ROOT).startsWith("application/json");
        long limit = json ? ctx.config.limits().maxRequestBody() : ctx.config.limits().maxAudioBytes();
        ctx.readBytes(ex, limit, json ? "asr.api.limits.max-request-body" : "asr.api.limits.max-audio-bytes", received -> {
            String url = null;
            byte[] bytes = null;
            if (json) {
                url = url(received);
            } else {
                if (received.length == 0) {
                    throw toApiError(DeepgramError.badRequest("failed to process audio: corrupt or unsupported data "
                            + "(empty body)"));
                }
                bytes = received;
            }
            EphemeralAudio audio = new EphemeralAudio(model.engine(), bytes);
            FileTranscriptJob.start(ctx, ex, owner, url == null ? "upload:body" : url, language, audio, u -> { },
                    (t, failure) -> {
                        if (failure != null) {
                            ex.error(fromOutcome(failure));
                            return;
                        }
                        var body = DeepgramPrerecorded.response(t, requestId, model.name(), model.engine().name(),
                                punctuated, utterances, Instant.now());
                        ex.json(200, body, Map.of("dg-request-id", requestId));
                    });
        });
    }

    private static String url(byte[] body) throws ApiError {
        JsonNode node;
        try {
            node = Endpoints.JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw toApiError(new DeepgramError(400, "INVALID_JSON", "Invalid JSON body: " + e.getOriginalMessage()));
        } catch (java.io.IOException e) {
            throw toApiError(new DeepgramError(400, "INVALID_JSON", "Invalid JSON body"));
        }
        JsonNode url = node == null ? null : node.get("url");
        if (url == null || !url.isTextual() || url.asText().isBlank()) {
            throw toApiError(DeepgramError.badRequest("the JSON body must be {\"url\": \"https://...\"}"));
        }
        try {
            AudioFetcher.precheck(url.asText().trim());
        } catch (FetchException e) {
            throw toApiError(DeepgramError.badRequest("url refused: " + e.getMessage()));
        }
        return url.asText().trim();
    }

    static ApiError fromOutcome(Outcome o) {
        int status = o.status() == 422 ? 400 : o.status();
        String code = status >= 500 ? "INTERNAL_SERVER_ERROR" : status == 413 ? "PAYLOAD_TOO_LARGE" : "Bad Request";
        String message = o.errorType() != null && o.errorType().startsWith("audio_decode")
                ? "failed to process audio: corrupt or unsupported data (" + o.error() + ")" : o.error();
        return toApiError(new DeepgramError(status, code, message));
    }

    private static boolean flag(HttpExchange ex, String name) {
        String v = ex.query(name);
        return v != null && (v.equalsIgnoreCase("true") || v.equals("1"));
    }

    static String newRequestId() {
        return UUID.randomUUID().toString();
    }
}

package org.streamasr.api.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.streamasr.api.ApiError;
import org.streamasr.api.jobs.EphemeralAudio;
import org.streamasr.api.store.Outcome;
import org.streamasr.apis.LanguageResolver;
import org.streamasr.apis.ModelNotServedException;
import org.streamasr.apis.ServedModel;
import org.streamasr.apis.ServedModels;
import org.streamasr.apis.openai.OpenAiError;
import org.streamasr.apis.openai.OpenAiTranscriptions;
import org.streamasr.engine.UnsupportedSettingException;

/**
 * OpenAI's {@code POST /v1/audio/transcriptions} (multipart; every {@code response_format}; {@code stream=true} as
 * server-sent {@code transcript.text.delta}/{@code done}) and {@code GET /v1/models}, answering failures in OpenAI's
 * error shape. {@code prompt}, {@code temperature}, {@code include[]} and {@code chunking_strategy} are accepted and
 * ignored.
 */
final class OpenAiEndpoints {
    private final Endpoints ctx;
    private final ServedModels models;
    private final long startedAtSeconds = System.currentTimeMillis() / 1000;

    OpenAiEndpoints(Endpoints ctx, ServedModels models) {
        this.ctx = ctx;
        this.models = models;
    }

    /** Answers every failure of {@code ex} in OpenAI's shape. */
    static void useOpenAiErrors(HttpExchange ex) {
        ex.errorWriter((e, err) -> {
            OpenAiError o = fromApiError(err);
            e.send(o.status(), o.body().toString(), Map.of());
        });
    }

    static OpenAiError fromApiError(ApiError e) {
        com.fasterxml.jackson.databind.JsonNode own = e.body().get("error");
        if (own != null && own.isObject()) {
            return new OpenAiError(e.status(), own.path("message").asText(), own.path("type").asText(),
                    own.path("param").isTextual() ? own.path("param").asText() : null,
                    own.path("code").isTextual() ? own.path("code").asText() : null);
        }
        int status = e.status();
        String type = status >= 500 ? "server_error" : OpenAiError.INVALID_REQUEST;
        String code = status == 401 ? "invalid_api_key" : e.errorType();
        return new OpenAiError(status, e.getMessage(), type, null, code);
    }

    static ApiError toApiError(OpenAiError o) {
        return ApiError.withBody(o.status(), o.code() == null ? o.type() : o.code(), o.message(), o.body());
    }

    void listModels(HttpExchange ex) {
        ObjectNode o = Endpoints.JSON.createObjectNode();
        o.put("object", "list");
        ArrayNode data = o.putArray("data");
        for (ServedModels.Listing m : models.list()) {
            ObjectNode row = data.addObject();
            row.put("id", m.name());
            row.put("object", "model");
            row.put("created", startedAtSeconds);
            row.put("owned_by", "streamasr:" + m.engine());
        }
        ex.json(200, o);
    }

    void transcribe(HttpExchange ex, String owner) throws ApiError {
        requireMultipart(ex);
        String boundary = MultipartForm.boundary(ex.header("Content-Type"));
        ctx.readBytes(ex, ctx.config.limits().maxRequestBody(), "asr.api.limits.max-request-body", body -> {
            MultipartForm form;
            try {
                form = MultipartForm.parse(body, boundary);
            } catch (IllegalArgumentException e) {
                throw toApiError(OpenAiError.badRequest("Could not parse multipart form: " + e.getMessage(), null, null));
            }
            run(ex, owner, form);
        });
    }

    /** The checks that need no body: a request that is not multipart is refused before it is read. */
    static void requireMultipart(HttpExchange ex) throws ApiError {
        if (MultipartForm.boundary(ex.header("Content-Type")) == null) {
            throw toApiError(OpenAiError.badRequest("The request must be multipart/form-data with a 'file' part and a "
                    + "'model' field, as the OpenAI SDKs send it", null, null));
        }
    }

    private void run(HttpExchange ex, String owner, MultipartForm form) throws ApiError {
        MultipartForm.Part file = form.part("file");
        if (file == null || file.filename() == null) {
            throw toApiError(OpenAiError.badRequest("Missing required parameter: 'file'.", "file", "missing_required_parameter"));
        }
        if (file.data().length == 0) {
            throw toApiError(OpenAiError.badRequest("The audio file is empty.", "file", "invalid_value"));
        }
        String modelName = form.text("model");
        if (modelName == null) {
            throw toApiError(OpenAiError.badRequest("Missing required parameter: 'model'.", "model", "missing_required_parameter"));
        }
        ServedModel model;
        try {
            model = models.resolve(modelName);
        } catch (ModelNotServedException e) {
            throw toApiError(OpenAiError.modelNotFound(e.getMessage()));
        }
        String language;
        try {
            language = LanguageResolver.resolve(model.engine(), form.text("language"));
        } catch (UnsupportedSettingException e) {
            throw toApiError(OpenAiError.badRequest(e.getMessage(), "language", "unsupported_language"));
        }
        String format = form.text("response_format") == null ? "json"
                : form.text("response_format").trim().toLowerCase(Locale.ROOT);
        if (!OpenAiTranscriptions.FORMATS.contains(format)) {
            throw toApiError(OpenAiError.badRequest("Invalid value for 'response_format': '" + format + "'. Supported: "
                    + String.join(", ", OpenAiTranscriptions.FORMATS) + ".", "response_format", "invalid_value"));
        }
        List<String> granularities = form.texts("timestamp_granularities[]");
        if (granularities.isEmpty()) granularities = form.texts("timestamp_granularities");
        boolean words = granularities.contains("word");
        boolean segments = granularities.isEmpty() || granularities.contains("segment");
        boolean stream = "true".equalsIgnoreCase(String.valueOf(form.text("stream")).trim());
        EphemeralAudio audio = new EphemeralAudio(model.engine(), file.data());
        String label = "upload:" + file.filename();
        if (stream) {
            stream(ex, owner, label, language, audio);
            return;
        }
        FileTranscriptJob.start(ctx, ex, owner, label, language, audio, u -> { }, (t, failure) -> {
            if (failure != null) {
                ex.error(fromOutcome(failure));
                return;
            }
            OpenAiTranscriptions.Body body = OpenAiTranscriptions.render(t, format, words, segments);
            if (ex.claim()) ex.send(200, body.contentType(), body.text(), Map.of());
        });
    }

    private void stream(HttpExchange ex, String owner, String label, String language, EphemeralAudio audio)
            throws ApiError {
        SseStream sse = ctx.sse(ex, Map.of(), () -> { });
        if (!sse.start()) return;
        boolean[] first = {true};
        try {
            FileTranscriptJob.start(ctx, ex, owner, label, language, audio, u -> {
                String text = u.text().strip();
                if (text.isEmpty()) return;
                synchronized (first) {
                    sse.offer(OpenAiTranscriptions.deltaEvent(first[0] ? text : " " + text));
                    first[0] = false;
                }
            }, (t, failure) -> {
                if (failure != null) sse.fail(fromOutcome(failure));
                else sse.finish(OpenAiTranscriptions.doneEvent(t));
            });
        } catch (ApiError e) {
            sse.fail(toApiError(fromApiError(e)));
        }
    }

    /** A failed job (fal-shaped outcome) in OpenAI's shape. */
    static ApiError fromOutcome(Outcome o) {
        int status = o.status() == 422 ? 400 : o.status();
        String type = status >= 500 ? "server_error" : OpenAiError.INVALID_REQUEST;
        String param = status < 500 && o.errorType() != null && o.errorType().startsWith("audio") ? "file" : null;
        return toApiError(new OpenAiError(status, o.error(), type, param, o.errorType()));
    }
}

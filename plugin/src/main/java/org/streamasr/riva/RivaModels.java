package org.streamasr.riva;

import io.grpc.Status;
import io.grpc.StatusException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import nvidia.riva.asr.RivaAsr.RivaSpeechRecognitionConfigResponse;
import org.streamasr.apis.LanguageResolver;
import org.streamasr.apis.ModelNotServedException;
import org.streamasr.apis.ServedModel;
import org.streamasr.apis.ServedModels;
import org.streamasr.engine.UnsupportedSettingException;

/**
 * Riva's view of what is served, through the one model-name and language resolver of the outside APIs
 * ({@link ServedModels}, {@link LanguageResolver}): a config's {@code model} and {@code language_code} become an
 * engine and locale, or INVALID_ARGUMENT naming what is served; {@code GetRivaSpeechRecognitionConfig} lists each
 * served name with the {@code parameters} Riva's clients read ({@code type}, {@code language_code}).
 */
final class RivaModels {
    /** A model and language a config asked for, resolved. */
    record Selection(ServedModel model, String language) {
    }

    private final ServedModels served;
    private final String defaultEngine;

    RivaModels(ServedModels served, String defaultEngine) {
        this.served = served;
        this.defaultEngine = defaultEngine;
    }

    Selection select(String model, String languageCode) throws StatusException {
        ServedModel m;
        try {
            m = served.resolve(model);
        } catch (ModelNotServedException e) {
            throw Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asException();
        }
        try {
            return new Selection(m, LanguageResolver.resolve(m.engine(), languageCode));
        } catch (UnsupportedSettingException e) {
            throw Status.INVALID_ARGUMENT.withDescription("language_code '" + languageCode + "' is not served by "
                    + (m.name().isEmpty() ? "the default model" : "model '" + m.name() + "'") + "; served: "
                    + String.join(", ", LanguageResolver.describe(m.engine().languages()))).asException();
        }
    }

    /**
     * The served models ({@code name} empty: all). Engine names other than the default one are left out: an engine
     * without a model directory of its own does not load. Listing loads each listed model's engine, as a first
     * request for it would.
     */
    RivaSpeechRecognitionConfigResponse list(String name) throws StatusException {
        RivaSpeechRecognitionConfigResponse.Builder out = RivaSpeechRecognitionConfigResponse.newBuilder();
        List<ServedModels.Listing> listings = new ArrayList<>();
        if (name == null || name.isBlank()) {
            for (ServedModels.Listing l : served.list()) {
                if (!l.kind().equals("engine") || l.name().equals(defaultEngine)) listings.add(l);
            }
        } else {
            for (ServedModels.Listing l : served.list()) if (l.name().equalsIgnoreCase(name.trim())) listings.add(l);
            if (listings.isEmpty()) {
                throw Status.INVALID_ARGUMENT.withDescription("model '" + name + "' is not served here; served: "
                        + String.join(", ", served.names())).asException();
            }
        }
        for (ServedModels.Listing l : listings) {
            ServedModel m;
            try {
                m = served.resolve(l.name());
            } catch (ModelNotServedException e) {
                continue; // its engine does not load: not served now
            }
            out.addModelConfig(RivaSpeechRecognitionConfigResponse.Config.newBuilder()
                    .setModelName(l.name())
                    .putParameters("type", "online")
                    .putParameters("language_code", languageCodes(m.engine().languages()))
                    .putParameters("engine", m.engine().name())
                    .putParameters("streaming", "true")
                    .putParameters("offline", "true"));
        }
        return out.build();
    }

    /** The served locales, comma-separated; "auto" (detect) is no locale and is named only when it is all there is. */
    static String languageCodes(java.util.Set<String> languages) {
        TreeSet<String> locales = new TreeSet<>(languages);
        if (locales.size() > 1) locales.removeIf(l -> l.equalsIgnoreCase("auto"));
        return String.join(",", locales);
    }
}

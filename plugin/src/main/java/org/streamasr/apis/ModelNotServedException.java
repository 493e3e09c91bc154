package org.streamasr.apis;

import java.util.List;

/** A model name that is neither served nor aliased, or whose engine failed to load; names what is served. */
public final class ModelNotServedException extends Exception {
    private final String model;
    private final List<String> served;

    public ModelNotServedException(String model, String message, List<String> served, Throwable cause) {
        super(message, cause);
        this.model = model;
        this.served = List.copyOf(served);
    }

    public String model() {
        return model;
    }

    /** The names {@code GET /v1/models} lists. */
    public List<String> served() {
        return served;
    }
}

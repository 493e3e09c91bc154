package org.streamasr.riva;

import io.grpc.StatusException;
import org.streamasr.media.CallHandle;
import org.streamasr.media.TranscriptListener;

/** Opens the call one Riva stream runs as, on the engine and language its config asks for. */
interface RivaCalls {

    /**
     * @param model    the config's {@code model} ("" for the server's choice)
     * @param language the config's {@code language_code}
     * @throws StatusException INVALID_ARGUMENT for a model or language not served (naming what is),
     *                         RESOURCE_EXHAUSTED at capacity, UNAVAILABLE while shutting down
     */
    CallHandle open(String model, String language, TranscriptListener listener) throws StatusException;
}

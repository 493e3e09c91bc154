package org.streamasr.apis.deepgram;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * How a Deepgram response names the model that served it: {@code model_info} {name, version, arch} keyed or
 * accompanied by a {@code model_uuid}, stable for a name (a name-based UUID), so clients that group by it see one
 * model. {@code name} is the name the client asked for, {@code arch} the engine that ran it.
 */
record DeepgramModel(String name, String engine) {
    static final String VERSION = "streamasr";

    DeepgramModel {
        name = name == null || name.isBlank() ? "default" : name;
    }

    String uuid() {
        return UUID.nameUUIDFromBytes(("streamasr:" + name).getBytes(StandardCharsets.UTF_8)).toString();
    }

    void putInfo(ObjectNode into) {
        into.put("name", name);
        into.put("version", VERSION);
        into.put("arch", engine);
    }
}

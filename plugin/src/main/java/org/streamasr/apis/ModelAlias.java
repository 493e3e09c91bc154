package org.streamasr.apis;

import java.nio.file.Path;

/**
 * One entry of {@code asr.apis.model-aliases}: an outside model name and the engine and model directory that serve
 * it. {@code modelDir} null means the engine's default model (for the default engine: the default engine itself).
 */
public record ModelAlias(String name, String engine, Path modelDir) {
}

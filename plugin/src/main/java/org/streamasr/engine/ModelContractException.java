package org.streamasr.engine;

/**
 * Model files that do not match the contract the engine expects (missing file, wrong input name, dtype, shape, or
 * metadata). The message names the file and the mismatch.
 */
public class ModelContractException extends RuntimeException {
    public ModelContractException(String message) {
        super(message);
    }

    public ModelContractException(String message, Throwable cause) {
        super(message, cause);
    }
}

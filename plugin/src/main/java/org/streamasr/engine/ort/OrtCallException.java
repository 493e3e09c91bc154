package org.streamasr.engine.ort;

/** A call of ONNX Runtime's C API returned an error status; the message names the call and ONNX Runtime's words. */
public final class OrtCallException extends RuntimeException {
    public OrtCallException(String message) {
        super(message);
    }
}

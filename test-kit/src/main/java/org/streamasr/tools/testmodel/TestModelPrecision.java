package org.streamasr.tools.testmodel;

import java.util.Locale;

/**
 * How a constructed model stores its weights and does its matrix products, after the real exports' variants. File
 * names follow the exports: {@code encoder.onnx} (+ {@code encoder.data}), {@code encoder.int8.onnx},
 * {@code encoder.fp16.onnx}, and so on for the decoder and joiner.
 */
public enum TestModelPrecision {
    /** float32 weights, the encoder's in an external {@code encoder.data} (the fp32 export layout). */
    FP32(""),
    /**
     * onnxruntime's {@code quantize_dynamic} (how the sherpa-onnx int8 files are made): weight matrices stored as
     * uint8 with one scale and zero point each, and each such matrix product done as {@code DynamicQuantizeLinear}
     * of its input (one scale for the whole input tensor, i.e. for every stream of a batch) → {@code MatMulInteger}
     * → {@code Cast} → {@code Mul} by the two scales. In the encoder: the conformer-like layers and the output
     * projection; in the joiner: all three linear layers. The decoder has none (an embedding and LSTMs).
     */
    INT8(".int8"),
    /**
     * float16 weights (cast up where used), with float16 inputs and outputs on the encoder and joiner, as a full fp16
     * conversion writes them, and float32 inputs and outputs on the decoder, as {@code keep_io_types} does.
     */
    FP16(".fp16");

    private final String suffix;

    TestModelPrecision(String suffix) {
        this.suffix = suffix;
    }

    /** {@code encoder.onnx}, {@code encoder.int8.onnx}, {@code encoder.fp16.onnx}, ... */
    public String fileName(String kind) {
        return kind + suffix + ".onnx";
    }

    public static TestModelPrecision parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--precision must be fp32, int8 or fp16, got '" + s + "'");
        }
    }
}

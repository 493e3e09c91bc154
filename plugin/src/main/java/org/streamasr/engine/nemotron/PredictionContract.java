package org.streamasr.engine.nemotron;

import static org.streamasr.engine.nemotron.PortChecks.FLOAT;
import static org.streamasr.engine.nemotron.PortChecks.INT32;

/**
 * Checks the RNN-T decoder and joiner files against the encoder's metadata (contract 4). The decoder's state inputs
 * and outputs have auto-generated names, so they are bound by position: inputs {@code targets, target_length, h, c},
 * outputs {@code outputs, prednet_lengths, h, c}.
 */
final class PredictionContract {
    static final int DECODER_TARGETS = 0;
    static final int DECODER_TARGET_LENGTH = 1;
    static final int DECODER_STATE_H = 2;
    static final int DECODER_STATE_C = 3;

    private PredictionContract() {
    }

    static void checkDecoder(OnnxFileSummary file, EncoderContract enc) {
        PortChecks c = new PortChecks(file);
        if (file.inputs().size() != 4 || file.outputs().size() != 4) {
            throw c.fail("has " + file.inputs().size() + " inputs and " + file.outputs().size()
                    + " outputs, expected 4 and 4 (targets, target_length, two LSTM states)");
        }
        c.inputAt(DECODER_TARGETS, "targets", INT32, 2);
        c.inputAt(DECODER_TARGET_LENGTH, "target_length", INT32, 1);
        for (int i : new int[] {DECODER_STATE_H, DECODER_STATE_C}) {
            OnnxFileSummary.Port s = c.inputAt(i, null, FLOAT, 3);
            c.dim(s, 0, enc.predLayers(), "the encoder's metadata pred_rnn_layers");
            c.dim(s, 2, enc.predHidden(), "the encoder's metadata pred_hidden");
            OnnxFileSummary.Port o = c.outputAt(i, null, FLOAT, 3);
            c.dim(o, 0, enc.predLayers(), "the encoder's metadata pred_rnn_layers");
            c.dim(o, 2, enc.predHidden(), "the encoder's metadata pred_hidden");
        }
        OnnxFileSummary.Port out = c.outputAt(0, "outputs", FLOAT, 3);
        c.dim(out, 1, enc.predHidden(), "the encoder's metadata pred_hidden");
        c.outputAt(1, "prednet_lengths", INT32, 1);
    }

    /** Checks the joiner and returns its vocabulary width (pieces + blank). */
    static int checkJoiner(OnnxFileSummary file, EncoderContract enc) {
        PortChecks c = new PortChecks(file);
        OnnxFileSummary.Port e = c.input("encoder_outputs", FLOAT, 3);
        c.dim(e, 1, enc.dModel(), "the encoder's output width (metadata cache_last_channel_dim3)");
        OnnxFileSummary.Port d = c.input("decoder_outputs", FLOAT, 3);
        c.dim(d, 1, enc.predHidden(), "the encoder's metadata pred_hidden");
        c.exactInputs(java.util.List.of("encoder_outputs", "decoder_outputs"));
        OnnxFileSummary.Port out = c.output("outputs", FLOAT, 4);
        c.dim(out, 3, enc.vocabSize() + 1L, "the encoder's metadata vocab_size + 1 (blank)");
        return enc.vocabSize() + 1;
    }
}

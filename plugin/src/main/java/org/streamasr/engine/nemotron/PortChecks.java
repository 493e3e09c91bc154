package org.streamasr.engine.nemotron;

import ai.onnx.proto.OnnxMl.TensorProto;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.streamasr.engine.ModelContractException;

/** Checks on an ONNX file's ports and metadata that fail with a message naming the file and the mismatch. */
final class PortChecks {
    /** A float port: float32, or float16 (full fp16 exports; converted at the tensor boundary). */
    static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;
    static final int FLOAT16 = TensorProto.DataType.FLOAT16_VALUE;
    static final int INT64 = TensorProto.DataType.INT64_VALUE;
    static final int INT32 = TensorProto.DataType.INT32_VALUE;

    private final OnnxFileSummary file;

    PortChecks(OnnxFileSummary file) {
        this.file = file;
    }

    ModelContractException fail(String what) {
        return new ModelContractException(file.file() + ": " + what);
    }

    /** The input called {@code name}, checked for type and rank. */
    OnnxFileSummary.Port input(String name, int type, int rank) {
        OnnxFileSummary.Port p = file.input(name);
        if (p == null) throw fail("no input '" + name + "' (inputs: " + names(file.inputs()) + ")");
        return check("input", p, type, rank);
    }

    OnnxFileSummary.Port output(String name, int type, int rank) {
        OnnxFileSummary.Port p = file.output(name);
        if (p == null) throw fail("no output '" + name + "' (outputs: " + names(file.outputs()) + ")");
        return check("output", p, type, rank);
    }

    /** The input at {@code index}, checked for type and rank (and name, when {@code name} is not null). */
    OnnxFileSummary.Port inputAt(int index, String name, int type, int rank) {
        return at("input", file.inputs(), index, name, type, rank);
    }

    OnnxFileSummary.Port outputAt(int index, String name, int type, int rank) {
        return at("output", file.outputs(), index, name, type, rank);
    }

    private OnnxFileSummary.Port at(String kind, List<OnnxFileSummary.Port> ports, int index, String name, int type, int rank) {
        if (ports.size() <= index) {
            throw fail("has " + ports.size() + " " + kind + "s, expected at least " + (index + 1) + " (" + names(ports) + ")");
        }
        OnnxFileSummary.Port p = ports.get(index);
        if (name != null && !p.name().equals(name)) {
            throw fail(kind + " " + index + " is '" + p.name() + "', expected '" + name + "'");
        }
        return check(kind, p, type, rank);
    }

    private OnnxFileSummary.Port check(String kind, OnnxFileSummary.Port p, int type, int rank) {
        if (type == FLOAT ? p.elemType() != FLOAT && p.elemType() != FLOAT16 : p.elemType() != type) {
            throw fail(kind + " '" + p.name() + "' is " + p.typeName() + ", expected " + typeName(type)
                    + (type == FLOAT ? " or float16" : ""));
        }
        if (p.dims().size() != rank) {
            throw fail(kind + " '" + p.name() + "' has rank " + p.dims().size() + " (" + p.describe() + "), expected rank " + rank);
        }
        return p;
    }

    /** A dimension that is fixed in the file must equal {@code expected}; a symbolic one passes. */
    void dim(OnnxFileSummary.Port p, int axis, long expected, String what) {
        Long d = p.dims().get(axis);
        if (d != null && d != expected) {
            throw fail("'" + p.name() + "' dimension " + axis + " is " + d + " but " + what + " is " + expected
                    + " (" + p.describe() + ")");
        }
    }

    void exactInputs(List<String> expected) {
        for (OnnxFileSummary.Port p : file.inputs()) {
            if (!expected.contains(p.name())) throw fail("unexpected input '" + p.name() + "' (expected " + expected + ")");
        }
    }

    int metaInt(String key) {
        String v = file.metadata().get(key);
        if (v == null) throw fail("metadata '" + key + "' missing (metadata keys: " + file.metadata().keySet() + ")");
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw fail("metadata '" + key + "' is '" + v + "', expected an integer");
        }
    }

    String meta(String key) {
        return file.metadata().get(key);
    }

    Map<String, String> metadata() {
        return file.metadata();
    }

    static String typeName(int type) {
        TensorProto.DataType t = TensorProto.DataType.forNumber(type);
        return t == null ? "type " + type : t.name().toLowerCase(Locale.ROOT);
    }

    private static String names(List<OnnxFileSummary.Port> ports) {
        return String.join(", ", ports.stream().map(OnnxFileSummary.Port::name).toList());
    }
}

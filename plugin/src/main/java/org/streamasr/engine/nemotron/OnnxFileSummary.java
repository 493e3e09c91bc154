package org.streamasr.engine.nemotron;

import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.streamasr.engine.ModelContractException;

/**
 * The inputs, outputs, metadata, operator types and external data files of an ONNX file, read without loading its
 * weights: the protobuf is scanned, of each node only its op type is read, and only small initialisers (those whose
 * data lives in an external file, and tiny constants) are parsed, so a 600 MB encoder is summarised in milliseconds.
 * The engine uses this at start-up to find which file serves which chunk size and to reject a broken model directory
 * before any call comes.
 *
 * @param opTypes       the operator types of the main graph's nodes ("DynamicQuantizeLinear", "MatMul", ...)
 * @param externalData  the external data files its initialisers name ({@code location}, relative to the model file),
 *                      each with the bytes the initialisers read from it ({@code offset + length}, the largest)
 */
record OnnxFileSummary(Path file, List<Port> inputs, List<Port> outputs, Map<String, String> metadata,
                       Set<String> opTypes, Map<String, Long> externalData) {

    /** A graph input or output: name, element type and dimensions (null for a symbolic one). */
    record Port(String name, int elemType, List<Long> dims) {
        String typeName() {
            TensorProto.DataType t = TensorProto.DataType.forNumber(elemType);
            return t == null ? "type " + elemType : t.name().toLowerCase(Locale.ROOT);
        }

        String describe() {
            List<String> d = new ArrayList<>();
            for (Long x : dims) d.add(x == null ? "?" : x.toString());
            return name + " " + typeName() + " [" + String.join(", ", d) + "]";
        }
    }

    // ModelProto and GraphProto field numbers (onnx.proto3)
    private static final int MODEL_GRAPH = 7;
    private static final int MODEL_METADATA = 14;
    private static final int GRAPH_NODE = 1;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int GRAPH_INPUT = 11;
    private static final int GRAPH_OUTPUT = 12;
    private static final int NODE_OP_TYPE = 4;
    /** Initialisers up to this size are parsed: external-data ones are tiny, inline weights are skipped unread. */
    private static final int SMALL_INITIALIZER = 64 * 1024;

    /**
     * Operators that quantise an activation with a scale computed from the whole tensor at run time (onnxruntime's
     * {@code quantize_dynamic}, which makes the sherpa-onnx int8 exports): its result then depends on every row of the
     * batch.
     */
    static final Set<String> DYNAMIC_QUANTIZATION = Set.of("DynamicQuantizeLinear", "DynamicQuantizeMatMul",
            "DynamicQuantizeLSTM");

    static OnnxFileSummary read(Path file) {
        if (!Files.isRegularFile(file)) throw new ModelContractException(file + ": file not found");
        List<Port> inputs = new ArrayList<>();
        List<Port> outputs = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        Set<String> opTypes = new TreeSet<>();
        Map<String, Long> external = new TreeMap<>();
        boolean sawGraph = false;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            CodedInputStream cis = CodedInputStream.newInstance(in);
            cis.setSizeLimit(Integer.MAX_VALUE);
            int tag;
            while ((tag = cis.readTag()) != 0) {
                int field = WireFormat.getTagFieldNumber(tag);
                if (field == MODEL_METADATA && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                    StringStringEntryProto e = StringStringEntryProto.parseFrom(cis.readBytes());
                    metadata.put(e.getKey(), e.getValue());
                } else if (field == MODEL_GRAPH && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                    sawGraph = true;
                    int limit = cis.pushLimit(cis.readRawVarint32());
                    readGraph(cis, inputs, outputs, opTypes, external);
                    cis.popLimit(limit);
                } else if (!cis.skipField(tag)) {
                    break;
                }
                // a file larger than 2 GiB never comes here: ONNX itself refuses protobufs over 2 GiB
                cis.resetSizeCounter();
            }
        } catch (IOException | RuntimeException e) {
            throw new ModelContractException(file + ": not a readable ONNX model (" + e.getMessage() + ")", e);
        }
        if (!sawGraph || inputs.isEmpty()) throw new ModelContractException(file + ": not an ONNX model (no graph inputs)");
        return new OnnxFileSummary(file, List.copyOf(inputs), List.copyOf(outputs), Map.copyOf(metadata),
                Set.copyOf(opTypes), Map.copyOf(external));
    }

    private static void readGraph(CodedInputStream cis, List<Port> inputs, List<Port> outputs, Set<String> opTypes,
                                  Map<String, Long> external) throws IOException {
        int tag;
        while ((tag = cis.readTag()) != 0) {
            int field = WireFormat.getTagFieldNumber(tag);
            boolean delimited = WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED;
            if (delimited && (field == GRAPH_INPUT || field == GRAPH_OUTPUT)) {
                Port p = port(ValueInfoProto.parseFrom(cis.readBytes()));
                (field == GRAPH_INPUT ? inputs : outputs).add(p);
            } else if (delimited && field == GRAPH_NODE) {
                int limit = cis.pushLimit(cis.readRawVarint32());
                readOpType(cis, opTypes);
                cis.popLimit(limit);
            } else if (delimited && field == GRAPH_INITIALIZER) {
                int length = cis.readRawVarint32();
                if (length > SMALL_INITIALIZER) {
                    cis.skipRawBytes(length);
                } else {
                    TensorProto t = TensorProto.parseFrom(cis.readRawBytes(length));
                    if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) externalData(t, external);
                }
            } else if (!cis.skipField(tag)) {
                return;
            }
        }
    }

    /** Where an external initialiser's bytes are: file and end ({@code offset + length}, 0 when not given). */
    private static void externalData(TensorProto t, Map<String, Long> external) {
        String location = null;
        long offset = 0;
        long length = 0;
        for (StringStringEntryProto e : t.getExternalDataList()) {
            switch (e.getKey()) {
                case "location" -> location = e.getValue();
                case "offset" -> offset = parseLong(e.getValue());
                case "length" -> length = parseLong(e.getValue());
                default -> { }
            }
        }
        if (location != null) external.merge(location, length > 0 ? offset + length : 0, Math::max);
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The op type of one NodeProto; every other field is skipped (a Constant's tensor included). */
    private static void readOpType(CodedInputStream cis, Set<String> opTypes) throws IOException {
        int tag;
        while ((tag = cis.readTag()) != 0) {
            if (WireFormat.getTagFieldNumber(tag) == NODE_OP_TYPE
                    && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                opTypes.add(cis.readStringRequireUtf8());
            } else if (!cis.skipField(tag)) {
                return;
            }
        }
    }

    /** The dynamic-quantisation operators this file uses (empty for fp32, fp16 and QDQ files). */
    Set<String> dynamicQuantization() {
        Set<String> found = new TreeSet<>(opTypes);
        found.retainAll(DYNAMIC_QUANTIZATION);
        return found;
    }

    private static Port port(ValueInfoProto v) {
        List<Long> dims = new ArrayList<>();
        int type = 0;
        if (v.hasType() && v.getType().hasTensorType()) {
            type = v.getType().getTensorType().getElemType();
            for (TensorShapeProto.Dimension d : v.getType().getTensorType().getShape().getDimList()) {
                dims.add(d.hasDimValue() ? d.getDimValue() : null);
            }
        }
        return new Port(v.getName(), type, java.util.Collections.unmodifiableList(dims));
    }

    Port input(String name) {
        for (Port p : inputs) if (p.name().equals(name)) return p;
        return null;
    }

    Port output(String name) {
        for (Port p : outputs) if (p.name().equals(name)) return p;
        return null;
    }
}

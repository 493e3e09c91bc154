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
import org.streamasr.engine.ModelContractException;

/**
 * The inputs, outputs and metadata of an ONNX file, read without loading its weights: the protobuf is scanned and the
 * node and initialiser fields are skipped, so a 600 MB encoder is summarised in milliseconds. The engine uses this at
 * start-up to find which file serves which chunk size and to reject a broken model directory before any call comes.
 */
record OnnxFileSummary(Path file, List<Port> inputs, List<Port> outputs, Map<String, String> metadata) {

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
    private static final int GRAPH_INPUT = 11;
    private static final int GRAPH_OUTPUT = 12;

    static OnnxFileSummary read(Path file) {
        if (!Files.isRegularFile(file)) throw new ModelContractException(file + ": file not found");
        List<Port> inputs = new ArrayList<>();
        List<Port> outputs = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
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
                    readGraph(cis, inputs, outputs);
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
        return new OnnxFileSummary(file, List.copyOf(inputs), List.copyOf(outputs), Map.copyOf(metadata));
    }

    private static void readGraph(CodedInputStream cis, List<Port> inputs, List<Port> outputs) throws IOException {
        int tag;
        while ((tag = cis.readTag()) != 0) {
            int field = WireFormat.getTagFieldNumber(tag);
            if (field == GRAPH_INPUT || field == GRAPH_OUTPUT) {
                Port p = port(ValueInfoProto.parseFrom(cis.readBytes()));
                (field == GRAPH_INPUT ? inputs : outputs).add(p);
            } else if (!cis.skipField(tag)) {
                return;
            }
        }
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

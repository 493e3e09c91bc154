package org.streamasr.engine.nemotron;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.file.Path;
import java.util.Map;

/**
 * Asks this machine's ONNX Runtime whether its uint8-by-int8 matrix product gives exact sums ({@link SignedWeights}
 * relies on it): a {@code MatMulInteger} of all-255 activations by weights of 127 and -128 with zero point -128, whose
 * pairs of products overflow 16 bits, at the row counts a chunk batch has. CPUs with VNNI ({@code vpdpbusd}) give the
 * exact sums; ONNX Runtime's AVX2 and plain AVX-512 kernels add pairs of products with 16-bit saturation and do not.
 */
final class SignedInt8Probe {
    private static final int K = 256;
    private static final int N = 32;
    private static final int[] ROWS = {1, 7, 64};

    private SignedInt8Probe() {
    }

    /** True when every probed product equals its exact sum; false on any difference or error. */
    static boolean exact(OrtSessionFactory sessions) {
        byte[] weights = new byte[K * N];
        for (int k = 0; k < K; k++) {
            for (int n = 0; n < N; n++) weights[k * N + n] = (byte) (n % 2 == 0 ? 127 : -128);
        }
        byte zeroPoint = -128;
        try (OrtSession s = sessions.open(Path.of("<int8 probe>"), model(weights, zeroPoint).toByteArray())) {
            for (int m : ROWS) {
                byte[] a = new byte[m * K];
                java.util.Arrays.fill(a, (byte) 255);
                try (OnnxTensor in = OnnxTensor.createTensor(sessions.env(), ByteBuffer.wrap(a), new long[] {m, K},
                        ai.onnxruntime.OnnxJavaType.UINT8);
                     OrtSession.Result r = s.run(Map.of("a", in))) {
                    IntBuffer y = ((OnnxTensor) r.get(0)).getIntBuffer();
                    for (int row = 0; row < m; row++) {
                        for (int n = 0; n < N; n++) {
                            long expected = (long) K * 255 * (weights[n] - zeroPoint);
                            if (y.get(row * N + n) != expected) return false;
                        }
                    }
                }
            }
            return true;
        } catch (OrtException | RuntimeException e) {
            return false;
        }
    }

    private static ModelProto model(byte[] weights, byte zeroPoint) {
        GraphProto g = GraphProto.newBuilder().setName("int8-probe")
                .addInput(value("a", TensorProto.DataType.UINT8_VALUE, -1, K))
                .addOutput(value("y", TensorProto.DataType.INT32_VALUE, -1, N))
                .addInitializer(TensorProto.newBuilder().setName("w").setDataType(TensorProto.DataType.INT8_VALUE)
                        .addDims(K).addDims(N).setRawData(ByteString.copyFrom(weights)))
                .addInitializer(TensorProto.newBuilder().setName("azp").setDataType(TensorProto.DataType.UINT8_VALUE)
                        .setRawData(ByteString.copyFrom(new byte[] {0})))
                .addInitializer(TensorProto.newBuilder().setName("wzp").setDataType(TensorProto.DataType.INT8_VALUE)
                        .setRawData(ByteString.copyFrom(new byte[] {zeroPoint})))
                .addNode(NodeProto.newBuilder().setOpType("MatMulInteger").addInput("a").addInput("w").addInput("azp")
                        .addInput("wzp").addOutput("y"))
                .build();
        return ModelProto.newBuilder().setIrVersion(8).setGraph(g)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17)).build();
    }

    private static ValueInfoProto value(String name, int type, long rows, long cols) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        shape.addDim(rows < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("m").build()
                : TensorShapeProto.Dimension.newBuilder().setDimValue(rows).build());
        shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(cols));
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(type).setShape(shape))).build();
    }
}

package org.streamasr.engine.nemotron;

import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import org.streamasr.engine.ort.DeviceMemory;
import org.streamasr.engine.ort.DeviceTensor;
import org.streamasr.engine.ort.IoBinding;
import org.streamasr.engine.ort.OrtCApi;
import org.streamasr.engine.ort.RowStackGraphs;

/**
 * The RNN-T decoder run with every stream's LSTM states resident on the execution device ({@code device-state =
 * device}): per call the stack graph gathers the rows that emitted (batch axis 1 of {@code [layers, batch, hidden]}),
 * the decoder runs with IO binding (token and length in from the host, its output back to the host for the joiner,
 * states in and out on the device), and the unstack graph returns each row's new states. A reset marks a stream's
 * states fresh: the next call reads the model's primed rows (the states after the blank). Uses the
 * {@link DeviceEncoder}'s memory.
 */
final class DeviceDecoder implements AutoCloseable {
    private static final String H = "h";
    private static final String C = "c";

    private final OrtCApi api = OrtCApi.get();
    private final OrtSession decoder;
    private final String[] inputs;
    private final String[] outputs;
    private final EncoderContract c;
    private final int maxBatch;
    private final DeviceMemory memory;
    private final List<RowStackGraphs.Port> ports;
    private final boolean halfOut;
    private final RowStackSessions rowSessions;
    private final DeviceTensor primedH;
    private final DeviceTensor primedC;
    private final EngineStats stats;

    /** One worker's state batch tensors ({@code [layers, maxBatch, hidden]}) and their n-row views. */
    static final class Batch {
        final DeviceTensor[] full;
        final DeviceTensor[][] views;

        private Batch(DeviceDecoder d) {
            full = new DeviceTensor[4];
            for (int k = 0; k < 4; k++) full[k] = d.memory.allocate(d.ports.get(k % 2).shape(d.maxBatch), d.ports.get(k % 2).elementType());
            views = new DeviceTensor[d.maxBatch + 1][];
        }

        /** h in, c in, h out, c out for {@code n} rows. */
        DeviceTensor[] rows(DeviceDecoder d, int n) {
            if (views[n] == null) {
                DeviceTensor[] v = new DeviceTensor[4];
                for (int k = 0; k < 4; k++) v[k] = full[k].leading(d.ports.get(k % 2).shape(n));
                views[n] = v;
            }
            return views[n];
        }
    }

    DeviceDecoder(OrtSession decoder, String[] inputs, String[] outputs, EncoderContract c, java.util.Set<String> halfPorts,
                  OrtSessionFactory sessions, Path file, int maxBatch, DeviceMemory memory, float[] primedHValues,
                  float[] primedCValues, EngineStats stats) {
        this.decoder = decoder;
        this.inputs = inputs;
        this.outputs = outputs;
        this.c = c;
        this.maxBatch = maxBatch;
        this.memory = memory;
        this.stats = stats;
        long[] row = {c.predLayers(), c.predHidden()};
        int hType = halfPorts.contains("decoder/" + inputs[PredictionContract.DECODER_STATE_H]) ? OrtCApi.FLOAT16 : OrtCApi.FLOAT;
        int cType = halfPorts.contains("decoder/" + inputs[PredictionContract.DECODER_STATE_C]) ? OrtCApi.FLOAT16 : OrtCApi.FLOAT;
        this.ports = List.of(new RowStackGraphs.Port(H, hType, row, 1), new RowStackGraphs.Port(C, cType, row, 1));
        this.halfOut = halfPorts.contains("decoder/" + outputs[0]);
        this.rowSessions = new RowStackSessions(sessions, file, ports, maxBatch);
        this.primedH = memory.allocate(ports.get(0).shape(1), hType);
        this.primedC = memory.allocate(ports.get(1).shape(1), cType);
        try (IoBinding b = new IoBinding(api, rowSessions.stack(1))) {
            b.hostInput(RowStackGraphs.rowName(H, 0), host(primedHValues, hType), hType, ports.get(0).shape(1));
            b.hostInput(RowStackGraphs.rowName(C, 0), host(primedCValues, cType), cType, ports.get(1).shape(1));
            b.output(H, this.primedH).output(C, this.primedC).run("primed decoder state upload");
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** A direct buffer holding {@code values} at the port's precision. */
    private static java.nio.Buffer host(float[] values, int type) {
        if (type == OrtCApi.FLOAT16) {
            java.nio.ShortBuffer b = Workspace.shorts(values.length);
            for (int i = 0; i < values.length; i++) b.put(i, ai.onnxruntime.platform.Fp16Conversions.floatToFp16(values[i]));
            return b;
        }
        FloatBuffer b = Workspace.floats(values.length);
        b.put(0, values);
        return b;
    }


    private DeviceCaches states(StreamCaches s) {
        DeviceCaches d = s.device;
        if (d.h == null) {
            d.h = memory.allocate(ports.get(0).shape(1), ports.get(0).elementType());
            d.c = memory.allocate(ports.get(1).shape(1), ports.get(1).elementType());
        }
        return d;
    }

    /**
     * Runs the decoder on {@code w.targets[0..n)} for {@code rows} (their device caches exist: the encoder ran
     * first); the decoder outputs land in {@code w.decoderOut}. Returns the ORT nanos.
     */
    long advance(Workspace w, List<StreamCaches> rows) {
        int n = rows.size();
        if (w.deviceDecoder == null) w.deviceDecoder = new Batch(this);
        DeviceTensor[] batch = w.deviceDecoder.rows(this, n);
        long t0 = System.nanoTime();
        try (IoBinding gather = new IoBinding(api, rowSessions.stack(n))) {
            for (int i = 0; i < n; i++) {
                DeviceCaches d = states(rows.get(i));
                gather.input(RowStackGraphs.rowName(H, i), d.statesFresh ? primedH : d.h);
                gather.input(RowStackGraphs.rowName(C, i), d.statesFresh ? primedC : d.c);
            }
            gather.output(H, batch[0]).output(C, batch[1]).run("stacking " + n + " decoder states on " + memory.device());
        }
        long toDevice;
        long toHost;
        try (IoBinding run = new IoBinding(api, decoder)) {
            run.hostInput(inputs[PredictionContract.DECODER_TARGETS], w.targets, OrtCApi.INT32, n, 1);
            run.hostInput(inputs[PredictionContract.DECODER_TARGET_LENGTH], w.targetLength, OrtCApi.INT32, n);
            run.input(inputs[PredictionContract.DECODER_STATE_H], batch[0]).input(inputs[PredictionContract.DECODER_STATE_C], batch[1]);
            long[] out = {n, c.predHidden(), 1};
            java.nio.ShortBuffer half = halfOut ? w.half("decoder/" + outputs[0], (long) n * c.predHidden()) : null;
            if (half != null) {
                run.hostOutput(outputs[0], half, OrtCApi.FLOAT16, out);
            } else {
                run.hostOutput(outputs[0], w.decoderOut, OrtCApi.FLOAT, out);
            }
            run.hostOutput(outputs[1], w.decoderLen, OrtCApi.INT32, n);
            run.output(outputs[PredictionContract.DECODER_STATE_H], batch[2]).output(outputs[PredictionContract.DECODER_STATE_C], batch[3]);
            run.run("decoder run of a batch of " + n + " on " + memory.device());
            if (half != null) {
                for (int i = 0; i < n * c.predHidden(); i++) w.decoderOut.put(i, ai.onnxruntime.platform.Fp16Conversions.fp16ToFloat(half.get(i)));
            }
            toDevice = run.bytesToDevice();
            toHost = run.bytesToHost();
        }
        try (IoBinding scatter = new IoBinding(api, rowSessions.unstack(n))) {
            scatter.input(H, batch[2]).input(C, batch[3]);
            for (int i = 0; i < n; i++) {
                DeviceCaches d = rows.get(i).device;
                scatter.output(RowStackGraphs.rowName(H, i), d.h).output(RowStackGraphs.rowName(C, i), d.c);
            }
            scatter.run("unstacking " + n + " decoder states on " + memory.device());
        }
        for (StreamCaches s : rows) s.device.statesFresh = false;
        long elapsed = System.nanoTime() - t0;
        stats.add(EngineStats.Stage.ORT_DECODER, elapsed);
        stats.transferred(toDevice, toHost);
        stats.stateBytes(batch[0].bytes() + batch[1].bytes());
        return elapsed;
    }

    @Override
    public synchronized void close() {
        rowSessions.close();
    }
}

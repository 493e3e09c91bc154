package org.streamasr.engine.nemotron;

import ai.onnxruntime.OrtSession;
import ai.onnxruntime.platform.Fp16Conversions;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.nio.file.Path;
import java.util.List;
import org.streamasr.engine.ort.DeviceMemory;
import org.streamasr.engine.ort.DeviceTensor;
import org.streamasr.engine.ort.IoBinding;
import org.streamasr.engine.ort.OrtCApi;
import org.streamasr.engine.ort.RowStackGraphs;

/**
 * The encoder run with every stream's caches resident on the execution device ({@code device-state = device}; see
 * README "GPU state on the device"). Per chunk: the stack graph gathers the batch's cache rows into the worker's
 * batch tensors on the device, the encoder runs with IO binding (caches in and out on the device; only the mel
 * window, lengths and prompt go in from the host and only the encoder output and lengths come back), and the unstack
 * graph scatters the new caches into each stream's rows. No cache byte crosses between host and device after a
 * stream's first chunk; a reset copies nothing ({@link DeviceCaches#fresh}).
 *
 * <p>Shared by all workers of one {@link ChunkModel}: the stack/unstack sessions per batch size are opened on first
 * use; each worker's batch tensors hang off its {@link Workspace}. Owns its {@link DeviceMemory} and with it every
 * device tensor it handed out.
 */
final class DeviceEncoder implements AutoCloseable {
    private static final String CHANNEL = "channel";
    private static final String TIME = "time";

    private final OrtCApi api = OrtCApi.get();
    private final OrtSession encoder;
    private final EncoderContract c;
    private final int maxBatch;
    private final List<RowStackGraphs.Port> ports;
    private final boolean halfAudio;
    private final boolean halfOutputs;
    private final DeviceMemory memory;
    private final RowStackSessions rowSessions;
    private final DeviceTensor zeroChannel;
    private final DeviceTensor zeroTime;
    private final EngineStats stats;

    /** One worker's batch tensors ({@code maxBatch} rows) and their views per batch size. */
    static final class Batch {
        final DeviceTensor channelIn;
        final DeviceTensor timeIn;
        final DeviceTensor channelOut;
        final DeviceTensor timeOut;
        final DeviceTensor[][] views;

        private Batch(DeviceEncoder e) {
            channelIn = e.memory.allocate(e.shape(CHANNEL, e.maxBatch), e.ports.get(0).elementType());
            timeIn = e.memory.allocate(e.shape(TIME, e.maxBatch), e.ports.get(1).elementType());
            channelOut = e.memory.allocate(e.shape(CHANNEL, e.maxBatch), e.ports.get(0).elementType());
            timeOut = e.memory.allocate(e.shape(TIME, e.maxBatch), e.ports.get(1).elementType());
            views = new DeviceTensor[e.maxBatch + 1][];
        }

        /** channelIn, timeIn, channelOut, timeOut over the first {@code n} rows. */
        DeviceTensor[] rows(int n) {
            DeviceTensor[] v = views[n];
            if (v == null) {
                v = new DeviceTensor[] {channelIn.rows(n), timeIn.rows(n), channelOut.rows(n), timeOut.rows(n)};
                views[n] = v;
            }
            return v;
        }
    }

    DeviceEncoder(OrtSession encoder, EncoderContract c, java.util.Set<String> halfPorts, OrtSessionFactory sessions,
                  Path file, int maxBatch, EngineStats stats) {
        this.encoder = encoder;
        this.c = c;
        this.maxBatch = maxBatch;
        this.stats = stats;
        int channelType = halfPorts.contains("encoder/cache_last_channel") ? OrtCApi.FLOAT16 : OrtCApi.FLOAT;
        int timeType = halfPorts.contains("encoder/cache_last_time") ? OrtCApi.FLOAT16 : OrtCApi.FLOAT;
        this.ports = List.of(
                new RowStackGraphs.Port(CHANNEL, channelType, new long[] {c.layers(), c.leftContext(), c.dModel()}),
                new RowStackGraphs.Port(TIME, timeType, new long[] {c.timeLayers(), c.timeDim(), c.convContext()}));
        this.halfAudio = halfPorts.contains("encoder/audio_signal");
        this.halfOutputs = halfPorts.contains("encoder/outputs");
        this.rowSessions = new RowStackSessions(sessions, file, ports, maxBatch);
        this.memory = DeviceMemory.of(api, api.session(encoder), sessions.provider(), sessions.cudaDevice());
        try {
            zeroChannel = memory.allocate(shape(CHANNEL, 1), channelType);
            zeroTime = memory.allocate(shape(TIME, 1), timeType);
            writeZeros();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private long[] shape(String port, int rows) {
        long[] row = (port.equals(CHANNEL) ? ports.get(0) : ports.get(1)).row();
        long[] s = new long[row.length + 1];
        s[0] = rows;
        System.arraycopy(row, 0, s, 1, row.length);
        return s;
    }

    /** The shared zero rows, uploaded once through the one-row stack graph (a zeroed direct buffer is zeros in fp16 too). */
    private void writeZeros() {
        try (IoBinding b = new IoBinding(api, rowSessions.stack(1))) {
            for (RowStackGraphs.Port p : ports) {
                long elements = DeviceTensor.bytes(shape(p.name(), 1), p.elementType()) / DeviceTensor.elementSize(p.elementType());
                java.nio.Buffer zeros = p.elementType() == OrtCApi.FLOAT16 ? Workspace.shorts(elements) : Workspace.floats(elements);
                b.hostInput(RowStackGraphs.rowName(p.name(), 0), zeros, p.elementType(), shape(p.name(), 1));
            }
            b.output(CHANNEL, zeroChannel).output(TIME, zeroTime).run("zero caches upload");
        }
    }

    /** The device memory the caches live in (shared with the {@link DeviceDecoder}). */
    DeviceMemory memory() {
        return memory;
    }

    /** "cpu" or "cuda:N". */
    String device() {
        return memory.device();
    }


    /** A stream's own device caches, allocated on its first chunk on the device. */
    private DeviceCaches caches(StreamCaches s) {
        if (s.device == null || s.device.owner != this) {
            DeviceTensor channel = memory.allocate(shape(CHANNEL, 1), ports.get(0).elementType());
            try {
                s.device = new DeviceCaches(this, channel, memory.allocate(shape(TIME, 1), ports.get(1).elementType()));
            } catch (RuntimeException e) {
                channel.close();
                throw e;
            }
        }
        return s.device;
    }

    /**
     * Runs the encoder over the first {@code n} rows of {@code w} (window, length, cache length and prompt already
     * stacked there by the caller) with each row's caches taken from and returned to the device. Returns the nanos
     * spent in ONNX Runtime.
     */
    long encode(Workspace w, List<StreamCaches> rows) {
        int n = rows.size();
        if (w.device == null) w.device = new Batch(this);
        DeviceTensor[] batch = w.device.rows(n);
        long t0 = System.nanoTime();
        try (IoBinding gather = new IoBinding(api, rowSessions.stack(n))) {
            for (int i = 0; i < n; i++) {
                DeviceCaches d = caches(rows.get(i));
                gather.input(RowStackGraphs.rowName(CHANNEL, i), d.fresh ? zeroChannel : d.channel);
                gather.input(RowStackGraphs.rowName(TIME, i), d.fresh ? zeroTime : d.time);
            }
            gather.output(CHANNEL, batch[0]).output(TIME, batch[1]).run("stacking " + n + " streams' caches on " + device());
        }
        long toDevice;
        long toHost;
        try (IoBinding run = new IoBinding(api, encoder)) {
            long[] audio = {n, c.featDim(), c.windowSize()};
            if (halfAudio) {
                ShortBuffer half = w.half("encoder/audio_signal", product(audio));
                toHalf(w.audio, half, product(audio));
                run.hostInput("audio_signal", half, OrtCApi.FLOAT16, audio);
            } else {
                run.hostInput("audio_signal", w.audio, OrtCApi.FLOAT, audio);
            }
            run.hostInput("length", w.length, OrtCApi.INT64, n);
            run.input("cache_last_channel", batch[0]).input("cache_last_time", batch[1]);
            run.hostInput("cache_last_channel_len", w.channelLenIn, OrtCApi.INT64, n);
            if (c.multilingual()) run.hostInput(EncoderContract.PROMPT_INDEX, w.prompt, OrtCApi.INT64, n);
            long[] outputs = {n, c.dModel(), c.outFrames()};
            ShortBuffer halfOut = halfOutputs ? w.half("encoder/outputs", product(outputs)) : null;
            if (halfOut != null) {
                run.hostOutput("outputs", halfOut, OrtCApi.FLOAT16, outputs);
            } else {
                run.hostOutput("outputs", w.encoded, OrtCApi.FLOAT, outputs);
            }
            run.hostOutput("encoded_lengths", w.encodedLen, OrtCApi.INT64, n);
            run.output("cache_last_channel_next", batch[2]).output("cache_last_time_next", batch[3]);
            run.hostOutput("cache_last_channel_next_len", w.channelLenOut, OrtCApi.INT64, n);
            run.run(c.chunkMs() + " ms encoder run of a batch of " + n + " on " + device());
            if (halfOut != null) fromHalf(halfOut, w.encoded, product(outputs));
            toDevice = run.bytesToDevice();
            toHost = run.bytesToHost();
        }
        try (IoBinding scatter = new IoBinding(api, rowSessions.unstack(n))) {
            scatter.input(CHANNEL, batch[2]).input(TIME, batch[3]);
            for (int i = 0; i < n; i++) {
                DeviceCaches d = rows.get(i).device;
                scatter.output(RowStackGraphs.rowName(CHANNEL, i), d.channel);
                scatter.output(RowStackGraphs.rowName(TIME, i), d.time);
            }
            scatter.run("unstacking " + n + " streams' caches on " + device());
        }
        for (StreamCaches s : rows) s.device.fresh = false;
        long elapsed = System.nanoTime() - t0;
        stats.add(EngineStats.Stage.ORT_ENCODER, elapsed);
        stats.transferred(toDevice, toHost);
        stats.stateBytes(n * cacheBytesPerStream());
        return elapsed;
    }

    private static int product(long[] shape) {
        long p = 1;
        for (long d : shape) p *= d;
        return Math.toIntExact(p);
    }

    private static void toHalf(FloatBuffer from, ShortBuffer to, int n) {
        for (int i = 0; i < n; i++) to.put(i, Fp16Conversions.floatToFp16(from.get(i)));
    }

    private static void fromHalf(ShortBuffer from, FloatBuffer to, int n) {
        for (int i = 0; i < n; i++) to.put(i, Fp16Conversions.fp16ToFloat(from.get(i)));
    }

    /** Bytes of one stream's caches (channel and time), each way: what the host path copies per chunk. */
    long cacheBytesPerStream() {
        return DeviceTensor.bytes(shape(CHANNEL, 1), ports.get(0).elementType())
                + DeviceTensor.bytes(shape(TIME, 1), ports.get(1).elementType());
    }

    /** Device tensors open (stream caches, batch tensors and their views, zero rows). */
    int openTensors() {
        return memory.openTensors();
    }

    @Override
    public synchronized void close() {
        memory.close();
        rowSessions.close();
    }
}

package org.streamasr.engine.nemotron;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.streamasr.engine.ModelContractException;

/**
 * Finds the sherpa-onnx exports in a model directory. Two layouts:
 * <ul>
 *   <li>the directory is one export: {@code encoder*.onnx} (with {@code encoder*.data} for fp32), {@code decoder*.onnx},
 *       {@code joiner*.onnx}, {@code tokens.txt}; it serves the one chunk size in its encoder's metadata;</li>
 *   <li>the directory holds one export per sub-directory, one per chunk size, e.g. the release tarballs
 *       {@code sherpa-onnx-nemotron-3.5-asr-streaming-0.6b-560ms-int8-2026-06-11} extracted side by side.</li>
 * </ul>
 * An export directory holding several precisions ({@code encoder.onnx} fp32, {@code encoder.int8.onnx},
 * {@code encoder.fp16.onnx}) uses, unless the precision is given, int8 then fp32 then fp16 on CPU, and fp32 then fp16
 * then int8 on CUDA ({@link #preference}). Each export's chunk size is read from its encoder's metadata
 * ({@code chunk_size_ms}), never from its name. Every file's inputs, outputs, metadata, operators and external weights
 * files are checked here, at start-up, without loading weights.
 * All exports of one directory must share one vocabulary.
 */
final class ModelDirectory {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ModelDirectory.class);
    /** cache_last_channel_dim2 of the multilingual exports since 2026-07-08. */
    static final int MULTILINGUAL_LEFT_CONTEXT = 56;

    /**
     * The files of one chunk size's export, with its encoder already summarised.
     *
     * @param dynamicQuantization the files among encoder, decoder and joiner that quantise activations dynamically,
     *                            each with the operators seen, e.g. "encoder.int8.onnx (DynamicQuantizeLinear)"
     */
    record Export(Path dir, Path encoder, Path decoder, Path joiner, Path tokens, OnnxFileSummary encoderSummary,
                  EncoderContract contract, List<String> dynamicQuantization) {

        /** Whether a stream's results in a batch depend on its batch-mates (one activation scale per batch). */
        boolean dynamicallyQuantized() {
            return !dynamicQuantization.isEmpty();
        }
    }

    private ModelDirectory() {
    }

    /** The precisions to look for, most wanted first: {@code setting} alone, or for "auto" the provider's order. */
    static List<String> preference(String setting, String provider) {
        if (!setting.equals("auto")) return List.of(setting);
        return provider.equals(OrtSessionFactory.CUDA) ? List.of("fp32", "fp16", "int8") : List.of("int8", "fp32", "fp16");
    }

    /**
     * @param precision "int8", "fp32", "fp16" or null (no preference)
     * @return exports by chunk size in milliseconds
     */
    static Map<Integer, Export> scan(Path root, String precision) {
        return scan(root, precision == null ? List.of() : List.of(precision));
    }

    /**
     * @param preference precisions, most wanted first, for directories that hold several
     * @return exports by chunk size in milliseconds
     */
    static Map<Integer, Export> scan(Path root, List<String> preference) {
        if (root == null) throw new ModelContractException("asr.engine.model-dir is not set: the nemotron engine needs a model directory");
        if (!Files.isDirectory(root)) throw new ModelContractException(root + ": model directory not found");
        List<Path> exportDirs = new ArrayList<>();
        if (hasEncoder(root)) {
            exportDirs.add(root);
        } else {
            for (Path sub : list(root)) if (Files.isDirectory(sub) && hasEncoder(sub)) exportDirs.add(sub);
        }
        if (exportDirs.isEmpty()) {
            throw new ModelContractException(root + ": no encoder*.onnx here or in its sub-directories (expected a "
                    + "sherpa-onnx Nemotron export: encoder, decoder, joiner and tokens.txt; see README \"Real models\")");
        }
        Map<Integer, Export> byChunk = new TreeMap<>();
        Export first = null;
        for (Path dir : exportDirs) {
            Export e = export(dir, preference);
            Export clash = byChunk.put(e.contract().chunkMs(), e);
            if (clash != null) {
                throw new ModelContractException(root + ": two exports for " + e.contract().chunkMs() + " ms chunks: "
                        + clash.dir() + " and " + e.dir() + "; keep one per chunk size");
            }
            if (first == null) {
                first = e;
            } else {
                sameModel(first, e);
            }
        }
        return byChunk;
    }

    private static void sameModel(Export a, Export b) {
        EncoderContract x = a.contract();
        EncoderContract y = b.contract();
        if (x.vocabSize() != y.vocabSize() || x.multilingual() != y.multilingual() || !x.promptDictionary().equals(y.promptDictionary())) {
            throw new ModelContractException(b.encoder() + ": not the same model as " + a.encoder()
                    + " (vocabulary or prompt dictionary differ); one model directory serves one model");
        }
        try {
            if (Files.mismatch(a.tokens(), b.tokens()) != -1) {
                throw new ModelContractException(b.tokens() + ": differs from " + a.tokens() + "; one model directory serves one model");
            }
        } catch (IOException e) {
            throw new ModelContractException(b.tokens() + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    private static Export export(Path dir, List<String> preference) {
        Path encoder = pick(dir, "encoder", preference, null);
        String flavour = flavour(encoder, "encoder");
        Path decoder = pick(dir, "decoder", preference, flavour);
        Path joiner = pick(dir, "joiner", preference, flavour);
        Path tokens = dir.resolve("tokens.txt");
        if (!Files.isRegularFile(tokens)) throw new ModelContractException(tokens + ": file not found (every export has tokens.txt)");
        OnnxFileSummary summary = OnnxFileSummary.read(encoder);
        EncoderContract contract = EncoderContract.read(summary);
        OnnxFileSummary decoderSummary = OnnxFileSummary.read(decoder);
        OnnxFileSummary joinerSummary = OnnxFileSummary.read(joiner);
        for (OnnxFileSummary f : List.of(summary, decoderSummary, joinerSummary)) checkExternalData(f);
        warnIfStaleMultilingual(summary, contract);
        PredictionContract.checkDecoder(decoderSummary, contract);
        PredictionContract.checkJoiner(joinerSummary, contract);
        List<String> dynamic = new ArrayList<>();
        for (OnnxFileSummary f : List.of(summary, decoderSummary, joinerSummary)) {
            if (!f.dynamicQuantization().isEmpty()) {
                dynamic.add(f.file().getFileName() + " (" + String.join(", ", f.dynamicQuantization()) + ")");
            }
        }
        return new Export(dir, encoder, decoder, joiner, tokens, summary, contract, List.copyOf(dynamic));
    }

    /**
     * An fp32 encoder keeps its weights in a file beside it (the name is in the .onnx); without it ONNX Runtime would
     * fail only when the first stream of that mode loads the model, with a message that does not say why.
     */
    private static void checkExternalData(OnnxFileSummary f) {
        Path dir = f.file().toAbsolutePath().getParent();
        for (Map.Entry<String, Long> e : f.externalData().entrySet()) {
            Path data = dir.resolve(e.getKey()).normalize();
            if (!data.startsWith(dir)) {
                throw new ModelContractException(f.file() + ": its weights file '" + e.getKey() + "' is outside its directory");
            }
            if (!Files.isRegularFile(data)) {
                throw new ModelContractException(f.file() + ": its weights are in '" + e.getKey() + "', which is missing ("
                        + data + "); the fp32 exports ship the .onnx and its weights file together: fetch the export again");
            }
            try {
                long size = Files.size(data);
                if (size < e.getValue()) {
                    throw new ModelContractException(f.file() + ": its weights file " + data + " has " + size
                            + " bytes, the model reads " + e.getValue() + ": a partial download? fetch the export again");
                }
            } catch (java.io.IOException x) {
                throw new ModelContractException(data + ": cannot read (" + x.getMessage() + ")", x);
            }
        }
    }

    /**
     * The multilingual exports were re-made on 2026-07-08 under the same names with left context 56 (sherpa-onnx PR
     * #3732); older downloads have 70, a left context the model was not trained with (contract 5, 7.2).
     */
    private static void warnIfStaleMultilingual(OnnxFileSummary f, EncoderContract c) {
        if (c.multilingual() && c.leftContext() != MULTILINGUAL_LEFT_CONTEXT) {
            log.warn("{}: metadata cache_last_channel_dim2 is {}, not {}: this looks like a multilingual export made "
                    + "before 2026-07-08 (left context 70; sherpa-onnx re-exported these models under the same names with "
                    + "56). It runs, but with a context the model was not trained for: re-download the export",
                    f.file(), c.leftContext(), MULTILINGUAL_LEFT_CONTEXT);
        }
    }

    /** Picks {@code kind*.onnx}: the only one, else the one matching the encoder's flavour, else the first precision. */
    private static Path pick(Path dir, String kind, List<String> preference, String flavour) {
        List<Path> candidates = new ArrayList<>();
        for (Path p : list(dir)) {
            String n = p.getFileName().toString();
            if (n.startsWith(kind) && n.endsWith(".onnx") && Files.isRegularFile(p)) candidates.add(p);
        }
        if (candidates.isEmpty()) throw new ModelContractException(dir + ": no " + kind + "*.onnx (every export has an encoder, a decoder and a joiner)");
        if (candidates.size() == 1) return candidates.get(0);
        if (flavour != null) {
            for (Path p : candidates) if (flavour(p, kind).equals(flavour)) return p;
        }
        for (String precision : preference) {
            List<Path> match = new ArrayList<>();
            for (Path p : candidates) if (isPrecision(flavour(p, kind), precision)) match.add(p);
            if (match.size() == 1) return match.get(0);
        }
        throw new ModelContractException(dir + ": several " + kind + " files " + names(candidates)
                + (preference.isEmpty() ? "" : " and none or several of precision " + preference)
                + "; keep one export per directory or set asr.engine.nemotron.precision (int8, fp32 or fp16)");
    }

    /** ".int8" is int8, ".fp16" is fp16, nothing is fp32 (the sherpa-onnx names). */
    private static boolean isPrecision(String flavour, String precision) {
        return switch (precision) {
            case "int8" -> flavour.contains("int8");
            case "fp16" -> flavour.contains("fp16");
            default -> flavour.isEmpty() || flavour.contains("fp32");
        };
    }

    /** What sits between the kind and ".onnx": "" for encoder.onnx, ".int8" for encoder.int8.onnx. */
    private static String flavour(Path file, String kind) {
        String n = file.getFileName().toString();
        return n.substring(kind.length(), n.length() - ".onnx".length()).toLowerCase(Locale.ROOT);
    }

    private static boolean hasEncoder(Path dir) {
        for (Path p : list(dir)) {
            String n = p.getFileName().toString();
            if (n.startsWith("encoder") && n.endsWith(".onnx")) return true;
        }
        return false;
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            Path[] a = s.toArray(Path[]::new);
            Arrays.sort(a);
            return Arrays.asList(a);
        } catch (IOException e) {
            throw new ModelContractException(dir + ": cannot list (" + e.getMessage() + ")", e);
        }
    }

    private static String names(List<Path> files) {
        return files.stream().map(p -> p.getFileName().toString()).toList().toString();
    }
}

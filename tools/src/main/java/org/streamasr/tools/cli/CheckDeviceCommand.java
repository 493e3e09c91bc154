package org.streamasr.tools.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.streamasr.engine.Acceleration;
import org.streamasr.tools.bench.DeviceParityCheck;
import org.streamasr.tools.testmodel.TestModelPrecision;
import org.streamasr.tools.testmodel.TestModelSpec;
import org.streamasr.tools.testmodel.TestModelVariant;
import org.streamasr.tools.testmodel.TestModelWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code asr check-device}: an execution provider and cache placement against the CPU host path (see DeviceParityCheck). */
@Command(name = "check-device", mixinStandardHelpOptions = true,
        description = {"Runs the constructed multilingual model on --provider with the caches on the host and on the "
                + "device, each stream alone and all batched, and checks every final (text, times, token times) against the "
                + "CPU host path and the expected transcripts. Exit status 1 when anything differs."})
public final class CheckDeviceCommand implements Callable<Integer> {

    @Option(names = "--provider", paramLabel = "cpu|cuda", description = "Execution provider to check (default: ${DEFAULT-VALUE}).")
    String provider = "cuda";

    @Option(names = "--precision", paramLabel = "P", description = "Constructed model precision (default: ${DEFAULT-VALUE}).")
    String precision = "fp32";

    @Option(names = "--acceleration", paramLabel = "A", description = "none, regular, high or full (default: ${DEFAULT-VALUE}).")
    String acceleration = "regular";

    @Override
    public Integer call() throws Exception {
        Acceleration a = Acceleration.parse(acceleration);
        Path dir = Files.createTempDirectory("streamasr-check-device-");
        try {
            TestModelWriter.write(TestModelSpec.tiny(TestModelVariant.ML).withPrecision(TestModelPrecision.parse(precision)), dir);
            System.out.printf("constructed multilingual model, %s, %d ms chunks, provider %s%n", precision, a.chunkMillis(), provider);
            return new DeviceParityCheck(dir, provider, a, System.out).run() ? 0 : 1;
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}

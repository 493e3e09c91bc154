package org.streamasr.tools.cli;

import java.util.List;
import org.streamasr.cli.CommandProvider;

/** The tools' commands for {@code bin/asr} (registered in META-INF/services; see {@link CommandProvider}). */
public final class ToolCommands implements CommandProvider {
    @Override
    public List<Object> commands() {
        return List.of(DemoCommand.class, LoadTestCommand.class, MakeTestModelCommand.class, BenchMediaCommand.class,
                BenchEngineCommand.class, BenchPeerCommand.class, CheckDeviceCommand.class, RelayBenchCommand.class);
    }
}

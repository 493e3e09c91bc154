package org.streamasr.cli;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The one launcher behind {@code bin/asr}. Each command is its own class; add new ones to {@code subcommands},
 * one per line.
 */
@Command(name = "asr", mixinStandardHelpOptions = true, version = "streamasr 0.1.0",
        description = "Live multilingual streaming speech recognition for media servers.",
        subcommands = {
                CommandLine.HelpCommand.class,
                FeaturesCommand.class,
                ServeCommand.class,
                DemoCommand.class,
                LoadTestCommand.class,
                TranscribeCommand.class,
                MakeTestModelCommand.class,
                BenchMediaCommand.class,
                BenchEngineCommand.class,
                BenchPeerCommand.class,
        })
public final class AsrMain implements Runnable {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The launcher with its error handling: what {@code bin/asr} runs. */
    public static CommandLine commandLine() {
        return new CommandLine(new AsrMain())
                .setExecutionExceptionHandler(AsrMain::reportError)
                .setParameterExceptionHandler(AsrMain::reportUsageError);
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    /** Users see one line saying what went wrong; the stack trace only with ASR_DEBUG=1. */
    private static int reportError(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        cmd.getErr().println("error: " + describe(e));
        if ("1".equals(System.getenv("ASR_DEBUG"))) e.printStackTrace(cmd.getErr());
        return 1;
    }

    /** The JDK's file errors carry only the path as their message: say what happened to it. */
    private static String describe(Exception e) {
        if (e instanceof NoSuchFileException f) return f.getFile() + ": no such file or directory";
        if (e instanceof AccessDeniedException f) return f.getFile() + ": permission denied";
        if (e instanceof FileAlreadyExistsException f) return f.getFile() + ": already exists";
        if (e instanceof FileSystemException f && f.getReason() != null) return f.getFile() + ": " + f.getReason();
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** A bad flag or a missing argument: what was wrong and where the help is, not the whole usage text. */
    private static int reportUsageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        cmd.getErr().println("error: " + e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, cmd.getErr());
        cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }
}

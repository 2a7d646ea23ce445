package io.depthstream.pipeline.cli;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.io.PrintWriter;

/** The {@code depthstream} command line: global options and the list of commands. */
@Command(
        name = "depthstream",
        mixinStandardHelpOptions = true,
        versionProvider = DepthstreamCommand.Versions.class,
        description = "Self-supervised monocular depth and ego-motion for live camera streams on Apache Flink.",
        subcommands = {BenchCommand.class, DemoCommand.class, DoctorCommand.class, EvalCommand.class, InferCommand.class,
            ImportMonodepth2Command.class, LossCommand.class, ModelsCommand.class, ReplayCommand.class,
            StreamCommand.class, SynthCommand.class, TrainCommand.class,
            CommandLine.HelpCommand.class},
        usageHelpAutoWidth = true)
public final class DepthstreamCommand implements Runnable {

    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "Log at debug level (depthstream) and info level (Flink, Kafka, DJL) on stderr.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        int exit;
        try {
            exit = newCommandLine().execute(args);
        } catch (LinkageError e) {
            // an engine failure outside a command's execution (while picocli builds the commands)
            String explanation = EngineLoadFailure.explain(e, BuildInfo.load().natives());
            if (explanation == null) {
                throw e;
            }
            System.err.println("error: " + explanation);
            exit = 1;
        }
        System.exit(exit);
    }

    /** A command line ready to execute, with logging set up before any command runs and one-line errors. */
    public static CommandLine newCommandLine() {
        CommandLine commandLine = new CommandLine(new DepthstreamCommand());
        boolean[] verbose = new boolean[1];
        commandLine.setExecutionStrategy(parseResult -> {
            verbose[0] = isVerbose(parseResult);
            if (verbose[0]) {
                Configurator.setRootLevel(Level.INFO);
                Configurator.setLevel("io.depthstream", Level.DEBUG);
            }
            try {
                return new CommandLine.RunLast().execute(parseResult);
            } catch (LinkageError e) {
                // picocli passes Errors through: the GPU build's natives failing in DJL's static initialisers is one
                String explanation = EngineLoadFailure.explain(e, BuildInfo.load().natives());
                if (explanation == null) {
                    throw e;
                }
                if (verbose[0]) {
                    e.printStackTrace(commandLine.getErr());
                }
                commandLine.getErr().println("error: " + explanation);
                commandLine.getErr().flush();
                return 1;
            }
        });
        commandLine.setExecutionExceptionHandler((exception, cmd, parseResult) -> {
            PrintWriter err = cmd.getErr();
            if (verbose[0]) {
                exception.printStackTrace(err);
            }
            String message = EngineLoadFailure.explain(exception, BuildInfo.load().natives());
            if (message == null) {
                message = exception.getMessage();
            }
            err.println("error: " + (message == null ? exception.getClass().getSimpleName() : message));
            err.flush();
            return 1;
        });
        return commandLine;
    }

    /** {@code --verbose} is inherited: it may be given before or after the command name. */
    private static boolean isVerbose(CommandLine.ParseResult parseResult) {
        for (CommandLine.ParseResult level = parseResult; level != null; level = level.subcommand()) {
            if (level.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }

    /** Prints depthstream's version and the versions of the engines it was built with. */
    static final class Versions implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            BuildInfo build = BuildInfo.load();
            return new String[] {
                "depthstream " + build.version(),
                "Flink " + build.flink() + ", DJL " + build.djl() + ", PyTorch " + build.pytorch()
                        + " (" + build.natives() + ")",
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"
            };
        }
    }
}

package dev.ferrule.cli;

import dev.ferrule.BackendInfo;
import dev.ferrule.Ferrule;
import dev.ferrule.FerruleException;
import dev.ferrule.internal.Abi;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code ferrule} command.
 *
 * <p>Exit codes: 0 success; 1 the input is invalid (the message names the error code and byte
 * offset); 2 usage error; 3 Ferrule itself failed (for instance the native library is required but
 * unavailable).
 */
@Command(
        name = "ferrule",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Protobuf-wire messaging for the JVM with a Rust engine.",
        subcommands = {Main.Info.class, FramesCommand.class, DecodeCommand.class, EncodeCommand.class, GenerateCommand.class,
            CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Exit code: the input was invalid. */
    static final int EXIT_BAD_INPUT = 1;
    /** Exit code: Ferrule could not do its work (not the input's fault). */
    static final int EXIT_FAILURE = 3;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given output streams and returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof FerruleException fe) {
                err.println("ferrule: " + fe.getMessage());
                return EXIT_FAILURE;
            }
            throw e;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code ferrule info}: what this installation runs on. */
    @Command(name = "info", description = "Print version, platform and which backend is in use, as key: value lines.")
    static final class Info implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            PrintWriter out = spec.commandLine().getOut();
            BackendInfo info = Ferrule.backendInfo();
            out.println("version: " + Ferrule.version());
            out.println("classifier: " + info.classifier());
            out.println("backend: " + info.kind().label());
            out.println("backend-reason: " + info.reason());
            out.println("library: " + info.library().orElse("none"));
            out.println("engine-version: " + info.engineVersion().orElse("none"));
            out.println("abi: " + Abi.ABI_VERSION);
            out.println("java: " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
            out.println("os: " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                    + System.getProperty("os.arch"));
        }
    }

    /** Prints the API version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"ferrule " + Ferrule.version()};
        }
    }
}

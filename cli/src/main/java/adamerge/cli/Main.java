package adamerge.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code adamerge} command line. */
@Command(name = "adamerge", mixinStandardHelpOptions = true, version = "adamerge 0.1.0",
        description = "Merge fine-tuned CLIP image encoders into one (AdaMerging and baselines) on the JVM.",
        subcommands = {DemoCommand.class, MergeCommand.class, EncodeCommand.class, EvalCommand.class, BenchCommand.class, DevicesCommand.class,
                HeadsCommand.class, FinetuneCommand.class, InspectCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with its error handling: bad input is one line naming the culprit, never a stack trace. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            String msg = ex.getMessage() != null ? ex.getMessage() : ex.toString();
            cmd.getErr().println("adamerge: " + msg);
            if (Boolean.getBoolean("adamerge.trace")) ex.printStackTrace(cmd.getErr());
            return 1;
        });
        return cl;
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }
}

package adamerge.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code adamerge} command line. */
@Command(name = "adamerge", mixinStandardHelpOptions = true, version = "adamerge 0.1.0",
        description = "Merge fine-tuned CLIP image encoders into one (AdaMerging and baselines) on the JVM.",
        subcommands = {BenchCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        CommandLine cl = new CommandLine(new Main());
        // Bad input is reported in one line naming the culprit, never as a stack trace.
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            String msg = ex.getMessage() != null ? ex.getMessage() : ex.toString();
            cmd.getErr().println("adamerge: " + msg);
            if (Boolean.getBoolean("adamerge.trace")) ex.printStackTrace(cmd.getErr());
            return 1;
        });
        System.exit(cl.execute(args));
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }
}

package adamerge.cli;

import picocli.CommandLine.Command;

/** {@code adamerge bench ...}: benchmarks that print figures (JSON with --json). */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks that print measured figures.",
        subcommands = {GemmBench.class, BlockBench.class, VitBench.class, AdaMergingBench.class})
public final class BenchCommand implements Runnable {
    @Override
    public void run() {
        picocli.CommandLine.usage(this, System.out);
    }
}

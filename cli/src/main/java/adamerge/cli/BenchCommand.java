package adamerge.cli;

import picocli.CommandLine.Command;

/** {@code adamerge bench ...}: benchmarks that print figures (JSON with --json). */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks that print measured figures.",
        subcommands = {adamerge.bench.GemmBench.class, adamerge.bench.BlockBench.class, adamerge.bench.VitBench.class, adamerge.bench.AdaMergingBench.class,
                adamerge.bench.SvdMergeBench.class})
public final class BenchCommand implements Runnable {
    @Override
    public void run() {
        picocli.CommandLine.usage(this, System.out);
    }
}

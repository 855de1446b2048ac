package adamerge.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** Stops a child run with SIGTERM past a checkpointed step and checks what every stopped run must leave behind. */
final class StoppedRun {
    private StoppedRun() {
    }

    /** Reads the step a checkpoint file holds. */
    interface StepOf {
        int of(Path checkpoint) throws IOException;
    }

    /** The stopped child's exit status, what it printed, and the step its checkpoint holds. */
    record Result(int exit, String said, int step) {
    }

    static Result sigtermAfterStep(int after, Process p, Path checkpoint, StepOf stepOf, Path log) throws IOException, InterruptedException {
        // wait (without a clock) for a checkpoint past the step, then stop the run
        while (p.isAlive() && !(Files.exists(checkpoint) && stepOf.of(checkpoint) >= after)) Thread.sleep(5);
        assertTrue(p.isAlive(), Files.readString(log));
        p.destroy(); // SIGTERM
        int exit = p.waitFor();
        String said = Files.readString(log);
        assertNotEquals(0, exit, said);
        assertTrue(said.contains("checkpoint written to " + checkpoint), said);
        try (Stream<Path> s = Files.list(checkpoint.toAbsolutePath().getParent())) {
            assertEquals(List.of(), s.filter(f -> f.getFileName().toString().contains(".tmp")).toList(), "no temporary file is left");
        }
        int step = stepOf.of(checkpoint);
        assertTrue(step >= after, "stopped at step " + step);
        return new Result(exit, said, step);
    }
}

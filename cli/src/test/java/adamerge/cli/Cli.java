package adamerge.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

/** Runs the command line in-process as {@code Main} configures it, capturing what it prints. */
final class Cli {
    private Cli() {
    }

    record Result(int exit, String out, String err) {
    }

    static Result run(List<String> args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args.toArray(new String[0]));
        return new Result(code, out.toString(), err.toString());
    }

    static Result run(String... args) {
        return run(List.of(args));
    }
}

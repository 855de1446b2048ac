package adamerge.output;

import java.io.PrintWriter;
import java.util.Locale;

/** A {@code \r}-updated progress line on stderr: items done/total, items/s and ETA, at most twice a second. */
public final class Progress {
    private final PrintWriter err;
    private final String what;
    private final int total;
    private final long start = System.nanoTime();
    private long last = start;
    private boolean shown;

    public Progress(PrintWriter err, String what, int total) {
        this.err = err;
        this.what = what;
        this.total = total;
    }

    public void update(int done) {
        long now = System.nanoTime();
        if (now - last < 500_000_000L && done < total) return;
        if (!shown && done == total) return; // finished before the first update: stay quiet
        last = now;
        shown = true;
        double s = (now - start) / 1e9, rate = done / Math.max(s, 1e-9);
        long eta = Math.round((total - done) / Math.max(rate, 1e-9));
        err.printf(Locale.ROOT, "\r%s %d/%d  %.1f %s/s  ETA %d:%02d   ", what, done, total, rate, what, eta / 60, eta % 60);
        err.flush();
    }

    public void finish() {
        if (shown) {
            err.println();
            err.flush();
        }
    }
}

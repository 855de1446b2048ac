package adamerge.study;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * The study's overall progress: phase headings, and a line with the share of the planned work
 * done, the time elapsed and an ETA. Work is counted in units: one unit is one image evaluated;
 * an AdaMerging or Fisher image (small batch, forward and backward) costs about
 * {@link #TRAIN_COST}, a RegMean image about 1.5 (measured on the demo model).
 */
final class StudyProgress {
    static final double TRAIN_COST = 6;

    private final PrintWriter log;
    private final double total;
    private final long start = System.nanoTime();
    private double done;

    StudyProgress(PrintWriter log, double totalUnits) {
        this.log = log;
        this.total = totalUnits;
    }

    /** Work units of the whole study (Table 1, generalisation, robustness) for these tasks and settings. */
    static double plannedUnits(List<String> tasks, StudySettings s) {
        int n = tasks.size(), img = s.testPerTask();
        double step = TRAIN_COST * s.batch() * s.batchesPerStep() * s.steps();
        long seededLater = StudyResults.LATER_MERGES.stream().filter(Study::drawsMasks).count();
        long fixedLater = StudyResults.LATER_MERGES.size() - seededLater;
        double t1 = ((6 + fixedLater) * n * img)
                + s.seeds() * ((6 + seededLater) * n * img + (TRAIN_COST + 1.5) * s.fisherSamples() * n + 4 * n * step
                + StudyResults.SURGERY_ROWS.size() * surgeryUnits(n, img));
        double gen = Study.UNSEEN.size() * (3 * n * img + 6 * step);
        int rt = (int) Study.ROBUSTNESS_TASKS.stream().filter(tasks::contains).count();
        double rob = (Study.CORRUPTIONS.size() + 1) * (2 * rt * img + rt * step);
        return t1 + gen + rob;
    }

    /**
     * One Representation Surgery row: each test image through the merged and the fine-tuned encoder
     * once (features kept), the modules' training (about as much again on the demo model), and the
     * evaluation.
     */
    static double surgeryUnits(int tasks, int testPerTask) {
        return 5.0 * tasks * testPerTask;
    }

    void phase(String what) {
        log.println("== " + what);
        log.flush();
    }

    /** Counts work done without printing (inside a phase that has its own progress line). */
    void add(double units) {
        done += units;
    }

    void advance(double units) {
        add(units);
        print();
    }

    void print() {
        double elapsed = seconds(), frac = Math.min(1, done / total);
        long eta = frac > 0 ? Math.round(elapsed / frac * (1 - frac)) : 0;
        log.printf(Locale.ROOT, "  [study %3.0f%% done, %d:%02d elapsed, ETA %d:%02d]%n", 100 * frac,
                (long) elapsed / 60, (long) elapsed % 60, eta / 60, eta % 60);
        log.flush();
    }

    /** Seconds since the study began. */
    double seconds() {
        return secs(start);
    }

    static double secs(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}

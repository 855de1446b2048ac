package adamerge.merging;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Which samples of a task each AdaMerging step sees: consecutive batches of a seeded shuffle,
 * reshuffled when a pass is used up (like an endless shuffling data loader). A task whose data
 * holds no more than one batch gives all of it, in file order, every step.
 */
public final class BatchSampler {
    private final int size, batch, perStep;
    private final SplittableRandom random;
    private int[] order;
    private int next;

    public BatchSampler(int size, int batch, int batchesPerStep, long seed) {
        if (size <= 0) throw new IllegalArgumentException("a task's data set is empty");
        if (batch <= 0 || batchesPerStep <= 0) throw new IllegalArgumentException("batch size and batches per step must be positive");
        this.size = size;
        this.batch = batch;
        this.perStep = batchesPerStep;
        this.random = new SplittableRandom(seed);
    }

    /** Index lists of the next step's batches. */
    public List<int[]> nextStep() {
        List<int[]> out = new ArrayList<>(perStep);
        if (size <= batch) {
            int[] all = new int[size];
            for (int i = 0; i < size; i++) all[i] = i;
            out.add(all);
            return out;
        }
        for (int b = 0; b < perStep; b++) {
            if (order == null || next + batch > size) reshuffle();
            int[] idx = new int[batch];
            System.arraycopy(order, next, idx, 0, batch);
            next += batch;
            out.add(idx);
        }
        return out;
    }

    /**
     * Moves past {@code steps} steps as if their batches had been drawn: the sampler's whole state
     * is its settings and the steps drawn, so a resumed run replays them (index arithmetic only)
     * and then draws what the uninterrupted run would have.
     */
    public void skip(int steps) {
        for (int s = 0; s < steps; s++) nextStep();
    }

    private void reshuffle() {
        if (order == null) {
            order = new int[size];
            for (int i = 0; i < size; i++) order[i] = i;
        }
        for (int i = size - 1; i > 0; i--) { // Fisher-Yates
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        next = 0;
    }
}
